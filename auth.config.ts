import type { NextAuthConfig } from "next-auth";
import type { Role } from "@/db/schema";
import { SESSION_MAX_AGE_SECONDS } from "@/lib/auth/session-age";
import { describeError } from "@/lib/log";

// Auth.js's default logger writes each error's cause with its whole stack (about 2 KB for a garbled cookie) and
// the details it carries; this writes one line, never the token, and for a database error only its code.
export const authLogger: NonNullable<NextAuthConfig["logger"]> = {
  error: (error) => {
    const type = (error as { type?: string }).type ?? error.name;
    // A wrong password is an expected outcome (recorded in login_attempts), not a server error.
    if (type === "CredentialsSignin") return;
    const cause = (error.cause as { err?: unknown } | undefined)?.err;
    // An old, tampered or truncated cookie (or one from before AUTH_SECRET changed): Auth.js clears it and the
    // person signs in again.
    if (type === "JWTSessionError") {
      console.warn(`[auth] cookie de sessão inválido, descartado${cause ? ` (${describeError(cause, { location: false })})` : ""}`);
      return;
    }
    console.error(`[auth] ${type}${cause ? `: ${describeError(cause)}` : ""}`);
  },
};

// The part of the Auth.js configuration the request guard (proxy.ts) needs: no database, no providers.
export const authConfig = {
  pages: { signIn: "/login" },
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
  // Which host to trust is the deployment's to say: Auth.js trusts the request's host in development, and in
  // production only with AUTH_TRUST_HOST=true (behind a proxy that sets it) or AUTH_URL (README, Production).
  logger: authLogger,
  providers: [],
  callbacks: {
    jwt: ({ token, user }) => {
      if (user) {
        const u = user as { id: string; organizationId: string; role: Role; sessionId: string };
        token.sub = u.id;
        token.sid = u.sessionId;
        token.organizationId = u.organizationId;
        token.role = u.role;
      }
      return token;
    },
    session: ({ session, token }) => {
      session.user.id = token.sub ?? "";
      session.user.organizationId = String(token.organizationId ?? "");
      session.user.role = token.role as Role;
      session.user.sessionId = String(token.sid ?? "");
      return session;
    },
  },
} satisfies NextAuthConfig;

declare module "next-auth" {
  interface Session {
    user: { id: string; organizationId: string; role: Role; sessionId: string; name?: string | null; email?: string | null };
  }
}
