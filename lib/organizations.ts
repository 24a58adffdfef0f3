import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { organizations, packageLedger } from "@/db/schema";
import { audit } from "./audit";

const timeZones = new Set(Intl.supportedValuesOf("timeZone"));

// Accepts "0,3125" (Brazilian decimal comma) as well as "0.3125".
const brl = (label: string) =>
  z
    .string()
    .trim()
    .transform((v) => v.replace(/\s|R\$/g, "").replace(",", "."))
    .pipe(
      z
        .string()
        .regex(/^\d{1,6}(\.\d{1,4})?$/, `${label}: use um valor como 0,3125 (até 4 casas decimais).`),
    );

export const organizationSettingsSchema = z.object({
  name: z.string().trim().min(2, "Informe o nome da organização.").max(120, "Nome longo demais (máximo 120)."),
  timeZone: z.string().refine((tz) => timeZones.has(tz), "Escolha um fuso horário da lista."),
  priceMarketing: brl("Preço de marketing"),
  priceUtility: brl("Preço de utilidade"),
  priceAuthentication: brl("Preço de autenticação"),
  packageBalance: z.coerce
    .number({ error: "Informe o saldo em número de mensagens." })
    .int("O saldo é um número inteiro de mensagens.")
    .min(0, "O saldo não pode ser negativo.")
    .max(1_000_000_000, "Saldo grande demais."),
  autoIncreaseSize: z.coerce
    .number({ error: "Informe o tamanho do aumento automático." })
    .int("O aumento é um número inteiro de mensagens.")
    .min(100, "O aumento automático deve ser de pelo menos 100 mensagens.")
    .max(10_000_000, "Aumento grande demais."),
});

export const updateOrganization = async (
  db: Db,
  actor: { organizationId: string; userId: string },
  input: z.output<typeof organizationSettingsSchema>,
) =>
  db.transaction(async (tx) => {
    const [before] = await tx
      .select({ packageBalance: organizations.packageBalance })
      .from(organizations)
      .where(eq(organizations.id, actor.organizationId))
      .for("update");
    await tx
      .update(organizations)
      .set({ ...input, updatedAt: new Date() })
      .where(eq(organizations.id, actor.organizationId));
    // A balance edited by hand is a package movement too: the ledger must explain every change.
    const delta = input.packageBalance - (before?.packageBalance ?? 0);
    if (delta !== 0)
      await tx.insert(packageLedger).values({
        organizationId: actor.organizationId,
        kind: delta > 0 ? "manual_credit" : "refund",
        amount: delta,
        balanceAfter: input.packageBalance,
        userId: actor.userId,
        note: "Ajuste manual em Configurações › Organização",
      });
    await audit(tx, { ...actor, action: "organization.update", entityType: "organization", entityId: actor.organizationId, data: input });
  });

export const brazilianTimeZones = [
  "America/Sao_Paulo",
  "America/Bahia",
  "America/Fortaleza",
  "America/Recife",
  "America/Belem",
  "America/Manaus",
  "America/Cuiaba",
  "America/Campo_Grande",
  "America/Porto_Velho",
  "America/Boa_Vista",
  "America/Rio_Branco",
  "America/Noronha",
];
