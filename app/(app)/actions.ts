"use server";

import { z } from "zod";
import { signOut } from "@/auth";
import { authorizedAction } from "@/lib/auth/action";

// Ends the session and returns to the login page. Auth.js's signOut event (auth.ts) ends the sign-in's row in
// the database before the cookie is cleared, so a cookie re-sent later, or re-set by a request that was in
// flight, opens nothing.
export const logout = authorizedAction({ name: "logout", role: "operador", schema: z.unknown() }, async () => {
  await signOut({ redirectTo: "/login" });
});
