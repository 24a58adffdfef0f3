import { auth } from "@/auth";
import { getDb } from "@/db/client";
import { loadSessionUser, type CurrentUser } from "./sessions";

export type { CurrentUser };

// The session cookie only says who signed in and which sign-in it is; the database says whether that
// sign-in is still open and the user still active, and which role it has now.
export const getCurrentUser = async (): Promise<CurrentUser | null> => {
  let session;
  try {
    session = await auth();
  } catch {
    return null;
  }
  if (!session?.user) return null;
  return loadSessionUser(getDb(), {
    userId: session.user.id,
    organizationId: session.user.organizationId,
    sessionId: session.user.sessionId,
  });
};
