import { NextResponse } from "next/server";
import type { Role } from "@/db/schema";
import { getDb, type Db } from "@/db/client";
import { describeError } from "@/lib/log";
import { hasRole, roleLabels } from "./roles";
import { getCurrentUser, type CurrentUser } from "./session";

type RouteContext<P> = { params: Promise<P> };

// Every route handler built by authorizedRoute is registered; tests use it to prove none escaped.
export const routeRegistry = new WeakMap<object, { role: Role }>();

// The path only: a query string may carry what the user typed (a search, a phone).
const pathOf = (req: Request) => {
  try {
    return new URL(req.url).pathname;
  } catch {
    return "?";
  }
};

/** The route-handler twin of authorizedAction: session, role, organization id; JSON errors in Portuguese. */
export const authorizedRoute =
  <P = Record<string, string>>(
    options: { role: Role },
    handler: (req: Request, ctx: { user: CurrentUser; organizationId: string; db: Db; params: P }) => Promise<Response>,
  ) =>
  {
  const run = async (req: Request, context: RouteContext<P>) => {
    const user = await getCurrentUser();
    if (!user) return NextResponse.json({ error: "Sua sessão expirou. Entre novamente." }, { status: 401 });
    if (!hasRole(user.role, options.role))
      return NextResponse.json(
        { error: `Seu perfil (${roleLabels[user.role]}) não permite esta ação. É preciso ser ${roleLabels[options.role]}.` },
        { status: 403 },
      );
    try {
      return await handler(req, { user, organizationId: user.organizationId, db: getDb(), params: await context.params });
    } catch (err) {
      console.error(`[route ${pathOf(req)}] falhou: ${describeError(err)}`);
      return NextResponse.json({ error: "Algo deu errado do nosso lado. Tente de novo em instantes." }, { status: 500 });
    }
  };
  routeRegistry.set(run, { role: options.role });
  return run;
  };
