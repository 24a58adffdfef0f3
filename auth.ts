import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { z } from "zod";
import { getDb } from "@/db/client";
import { clientIp } from "@/lib/auth/client-ip";
import { verifyLogin, type LoginFailure } from "@/lib/auth/login";
import { endSession } from "@/lib/auth/sessions";
import { isUuid } from "@/lib/ids";
import { authConfig } from "./auth.config";

class LoginError extends CredentialsSignin {
  constructor(code: LoginFailure, retryAfterMinutes?: number) {
    super();
    this.code = retryAfterMinutes ? `${code}:${retryAfterMinutes}` : code;
  }
}

const credentials = z.object({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(200),
});

export const { handlers, auth, signIn, signOut } = NextAuth({
  ...authConfig,
  events: {
    // Every sign-out ("Sair" and Auth.js's own POST /api/auth/signout) ends the sign-in's row before the cookie
    // is cleared, not only the cookie.
    signOut: async (message) => {
      const sid = "token" in message ? message.token?.sid : undefined;
      if (isUuid(sid)) await endSession(getDb(), sid);
    },
  },
  providers: [
    Credentials({
      credentials: { email: {}, password: {} },
      authorize: async (raw, request) => {
        const parsed = credentials.safeParse(raw);
        if (!parsed.success) throw new LoginError("invalid");
        const ip = clientIp(request?.headers);
        const result = await verifyLogin(getDb(), { ...parsed.data, ip });
        if (!result.ok) throw new LoginError(result.reason, result.retryAfterMinutes);
        return result.user;
      },
    }),
  ],
});
