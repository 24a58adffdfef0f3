import { and, eq } from "drizzle-orm";
import { auth } from "@/auth";
import { getDb } from "@/db/client";
import { organizations, users } from "@/db/schema";
import type { SessionUser } from "./login";

export type CurrentUser = SessionUser & { organizationName: string; timeZone: string };

// The session cookie only says who signed in; the database says whether that user still exists, is active,
// and which role it has now (a deactivated or demoted user loses access on the next request).
export const getCurrentUser = async (): Promise<CurrentUser | null> => {
  let session;
  try {
    session = await auth();
  } catch {
    return null;
  }
  const id = session?.user?.id;
  const organizationId = session?.user?.organizationId;
  if (!id || !organizationId || !/^[0-9a-f-]{36}$/i.test(id) || !/^[0-9a-f-]{36}$/i.test(organizationId)) return null;
  const [row] = await getDb()
    .select({
      id: users.id,
      organizationId: users.organizationId,
      role: users.role,
      name: users.name,
      email: users.email,
      active: users.active,
      organizationName: organizations.name,
      timeZone: organizations.timeZone,
    })
    .from(users)
    .innerJoin(organizations, eq(organizations.id, users.organizationId))
    .where(and(eq(users.id, id), eq(users.organizationId, organizationId)))
    .limit(1);
  if (!row || !row.active) return null;
  const { active: _active, ...user } = row;
  return user;
};
