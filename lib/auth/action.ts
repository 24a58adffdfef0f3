import { z } from "zod";
import { getDb, type Db } from "@/db/client";
import type { Role } from "@/db/schema";
import { hasRole, roleLabels } from "./roles";
import { getCurrentUser, type CurrentUser } from "./session";

import { ActionError, type ActionErrorCode } from "@/lib/action-error";
import { describeError } from "@/lib/log";

export { ActionError, type ActionErrorCode };

export type ActionResult<T = undefined> =
  | { ok: true; data: T; message?: string }
  | { ok: false; code: ActionErrorCode; message: string; fieldErrors?: Record<string, string[]> };

export type ActionContext = { user: CurrentUser; organizationId: string; db: Db };

export const NOT_SIGNED_IN = "Sua sessão expirou. Entre novamente para continuar.";

export const ok = <T>(data: T, message?: string): ActionResult<T> => ({ ok: true, data, message });

export type ActionDefinition = { kind: "authorized"; role: Role } | { kind: "public"; reason: string };

// Every exported server action is registered here by its wrapper; tests use it to prove none escaped.
export const actionRegistry = new WeakMap<object, ActionDefinition>();

// FormData → plain object: repeated keys become arrays, files are kept, empty strings stay (schemas decide).
export const formDataToObject = (form: FormData) => {
  const out: Record<string, unknown> = {};
  for (const key of new Set(form.keys())) {
    if (key.startsWith("$ACTION")) continue;
    const values = form.getAll(key);
    out[key] = values.length > 1 || key.endsWith("[]") ? values : values[0];
  }
  return out;
};

const flattenIssues = (error: z.ZodError) => {
  const fieldErrors: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join(".") : "_form";
    (fieldErrors[key] ??= []).push(issue.message);
  }
  return fieldErrors;
};

export const invalid = (error: z.ZodError): ActionResult<never> => ({
  ok: false,
  code: "invalid",
  message: "Confira os campos destacados.",
  fieldErrors: flattenIssues(error),
});

const toResult = <T>(err: unknown, name: string): ActionResult<T> => {
  if (err instanceof ActionError) return { ok: false, code: err.code, message: err.message, fieldErrors: err.fieldErrors };
  // Next.js control flow (redirect, notFound) must propagate.
  if (err && typeof err === "object" && "digest" in err && String((err as { digest: unknown }).digest).startsWith("NEXT_"))
    throw err;
  console.error(`[action ${name}] falhou: ${describeError(err)}`);
  return { ok: false, code: "error", message: "Algo deu errado do nosso lado. Tente de novo em instantes." };
};

/**
 * The one way to build a server action: session required, role checked, input parsed with zod,
 * organization id handed to the handler. Fits useActionState's (prevState, formData) signature and
 * also accepts a plain object.
 */
export const authorizedAction = <S extends z.ZodType, T>(
  options: { name: string; role: Role; schema: S },
  handler: (input: z.output<S>, ctx: ActionContext) => Promise<ActionResult<T> | T>,
) => {
  const run = async (_prev: unknown, input: FormData | z.input<S>): Promise<ActionResult<T>> => {
    const user = await getCurrentUser();
    if (!user) return { ok: false, code: "unauthenticated", message: NOT_SIGNED_IN };
    if (!hasRole(user.role, options.role))
      return {
        ok: false,
        code: "forbidden",
        message: `Seu perfil (${roleLabels[user.role]}) não permite esta ação. É preciso ser ${roleLabels[options.role]}.`,
      };
    const parsed = options.schema.safeParse(input instanceof FormData ? formDataToObject(input) : input);
    if (!parsed.success) return invalid(parsed.error);
    try {
      const result = await handler(parsed.data, { user, organizationId: user.organizationId, db: getDb() });
      return isResult<T>(result) ? result : ok(result);
    } catch (err) {
      return toResult<T>(err, options.name);
    }
  };
  actionRegistry.set(run, { kind: "authorized", role: options.role });
  return run;
};

/** An action that must work without a session (only the login). Still zod-parsed; registered as public. */
export const publicAction = <S extends z.ZodType, T>(
  options: { name: string; reason: string; schema: S },
  handler: (input: z.output<S>) => Promise<ActionResult<T>>,
) => {
  const run = async (_prev: unknown, input: FormData | z.input<S>): Promise<ActionResult<T>> => {
    const parsed = options.schema.safeParse(input instanceof FormData ? formDataToObject(input) : input);
    if (!parsed.success) return invalid(parsed.error);
    try {
      return await handler(parsed.data);
    } catch (err) {
      return toResult<T>(err, options.name);
    }
  };
  actionRegistry.set(run, { kind: "public", reason: options.reason });
  return run;
};

const isResult = <T>(v: unknown): v is ActionResult<T> =>
  Boolean(v && typeof v === "object" && "ok" in v && typeof (v as { ok: unknown }).ok === "boolean");
