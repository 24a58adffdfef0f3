"use server";

import { z } from "zod";
import { signOut } from "@/auth";
import { authorizedAction } from "@/lib/auth/action";

// Ends the session and returns to the login page.
export const logout = authorizedAction({ name: "logout", role: "operador", schema: z.unknown() }, async () => {
  await signOut({ redirectTo: "/login" });
});
