import { forbidden, redirect } from "next/navigation";
import type { Role } from "@/db/schema";
import { hasRole } from "./roles";
import { getCurrentUser } from "./session";

// Every page checks the session itself (the proxy is only a convenience).
export const requireUser = async (role: Role = "operador") => {
  const user = await getCurrentUser();
  if (!user) redirect("/login");
  if (!hasRole(user.role, role)) forbidden();
  return user;
};
