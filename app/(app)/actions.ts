"use server";

import { z } from "zod";
import { signOut } from "@/auth";
import { authorizedAction } from "@/lib/auth/action";
import { endSession } from "@/lib/auth/sessions";

// Ends the sign-in in the database first (a cookie re-sent later, or re-set by a request that was in flight,
// no longer opens anything), then clears the cookie and returns to the login page.
export const logout = authorizedAction({ name: "logout", role: "operador", schema: z.unknown() }, async (_input, { user, db }) => {
  await endSession(db, user.sessionId);
  await signOut({ redirectTo: "/login" });
});
