import type { NextAuthConfig } from "next-auth";
import type { Role } from "@/db/schema";
import { SESSION_MAX_AGE_SECONDS } from "@/lib/auth/session-age";

// The part of the Auth.js configuration the request guard (proxy.ts) needs: no database, no providers.
export const authConfig = {
  pages: { signIn: "/login" },
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
  trustHost: true,
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
