import { ZodError } from "zod";
import { createDb } from "../db/client";
import { createOrganizationWithAdmin } from "../lib/bootstrap";
import { log, startDatabase } from "./lib/stack";

// npm run org:create -- --name "Loja Exemplo" --admin-email ana@loja.com.br [--admin-name "Ana Souza"] [--time-zone America/Sao_Paulo]
// The first organization and its admin (DATABASE_URL, or the dev embedded database). Prints a one-time password
// for the admin, who changes it in Configurações › Usuários after signing in.
const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};

const main = async () => {
  const db = await startDatabase(".data/dev");
  const { db: orm, sql } = createDb(db.url, 2);
  try {
    const created = await createOrganizationWithAdmin(orm, {
      name: flag("name") ?? "",
      adminEmail: flag("admin-email") ?? "",
      adminName: flag("admin-name"),
      timeZone: flag("time-zone"),
    });
    const url = process.env.APP_URL ?? "http://localhost:3000";
    log("org", `organização criada (${created.organizationId})`);
    console.log(`\nEntre em ${url}/login com\n  e-mail: ${created.email}\n  senha:  ${created.password}\n\nA senha aparece só esta vez: troque-a depois de entrar (Configurações › Usuários).`);
  } finally {
    await sql.end({ timeout: 5 });
    await db.stop();
  }
};

main().catch((err) => {
  const message = err instanceof ZodError ? err.issues.map((i) => i.message).join("\n") : err instanceof Error ? err.message : String(err);
  console.error(`org:create: ${message}`);
  process.exit(1);
});
