import { eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { chips, organizations, templates } from "@/db/schema";
import { DEMO_CHIPS, DEMO_TEMPLATES } from "@/db/seed";
import { encryptSecret } from "@/lib/crypto";
import { createOrganization, createUser } from "./fixtures";

/**
 * An organization that can send through the simulator's first demo number: a gestor, the chip (token encrypted
 * with `key`) and the approved `lembrete_carrinho` template ({{1}} in the body), as the dispatch tests need.
 */
export const sendingOrganization = async (name: string, key: string, pkg: { packageBalance: number; autoIncreaseSize: number }) => {
  const db = getDb();
  const demo = DEMO_CHIPS[0];
  const org = await createOrganization(name);
  await db.update(organizations).set(pkg).where(eq(organizations.id, org.id));
  const gestor = { organizationId: org.id, userId: (await createUser(org.id, "gestor")).id, role: "gestor" as const };
  const [chip] = await db
    .insert(chips)
    .values({ organizationId: org.id, name: "Vendas", displayNumber: demo.displayNumber, phoneNumberId: demo.phoneNumberId, wabaId: demo.wabaId, accessTokenEncrypted: encryptSecret(demo.accessToken, key), messagesPerSecond: 80 })
    .returning();
  const t = DEMO_TEMPLATES.find((x) => x.name === "lembrete_carrinho")!;
  const [template] = await db
    .insert(templates)
    .values({ organizationId: org.id, wabaId: demo.wabaId, name: t.name, category: t.category, status: "approved", components: t.components, variables: t.variables, variableCount: t.variables.length })
    .returning();
  return { orgId: org.id, gestor, chipId: chip!.id, templateId: template!.id };
};
