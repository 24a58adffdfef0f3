"use server";

import { AuthError } from "next-auth";
import { z } from "zod";
import { signIn } from "@/auth";
import { publicAction, type ActionResult } from "@/lib/auth/action";
import { loginMessages, type LoginFailure } from "@/lib/auth/login";

const schema = z.object({
  email: z
    .string({ error: "Informe seu e-mail." })
    .trim()
    .min(1, "Informe seu e-mail.")
    .max(254, "Este e-mail é longo demais (máximo de 254 caracteres).")
    .pipe(z.email("Este e-mail não parece válido. Confira o endereço.")),
  password: z
    .string({ error: "Informe sua senha." })
    .min(1, "Informe sua senha.")
    .max(200, "Senha longa demais (máximo de 200 caracteres)."),
  next: z.string().optional(),
});

// Only same-site paths are accepted as the page to return to after login.
const safeNext = (next?: string) => (next && /^\/(?!\/)[\w\-/?=&%.]*$/.test(next) ? next : "/");

// Signs in with e-mail and password; public by nature (the only action without a session).
export const login = publicAction(
  { name: "login", reason: "entrar no sistema", schema },
  async ({ email, password, next }): Promise<ActionResult<undefined>> => {
    try {
      await signIn("credentials", { email, password, redirectTo: safeNext(next) });
    } catch (err) {
      if (err instanceof AuthError && err.type === "CredentialsSignin") {
        const [reason, minutes] = String((err as AuthError & { code?: string }).code ?? "invalid").split(":");
        const message = (loginMessages[reason as LoginFailure] ?? loginMessages.invalid)(Number(minutes) || undefined);
        return { ok: false, code: reason === "locked" || reason === "ip_locked" ? "forbidden" : "invalid", message };
      }
      throw err;
    }
    return { ok: true, data: undefined };
  },
);
