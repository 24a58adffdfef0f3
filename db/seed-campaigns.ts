import { and, eq, inArray } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "@/db/schema";
import { audiences, chatbotFlows, chips, tags, templates, users } from "@/db/schema";
import { confirmCampaign, saveCampaign, type CampaignInput } from "@/lib/campaigns/campaigns";
import { dateToZonedLocal } from "@/lib/campaigns/time";
import { countAudience } from "@/lib/segments/queries";
import type { AudienceFilter } from "@/lib/segments/filter";

// The demo's lists and campaigns, so a newcomer sees the panel in use: three listas de público, a draft, a
// campaign waiting for a gestor and a scheduled one (confirmed through the same code as the app, so its frozen
// filter and estimate are real). Runs after the contacts are committed; the scheduled moment is relative to
// today (next Saturday, 10:00 in São Paulo), everything else is deterministic.

const TZ = "America/Sao_Paulo";

export const DEMO_LISTS = [
  { name: "Oferta especial maio", tags: ["campanha-teste-maio-22"] },
  // Every opt-in status, as a team that lists "all active customers" would: the confirmation shows who is skipped.
  { name: "Clientes ativos de SP", tags: ["cliente-ativo"], states: ["SP"], optIn: ["opted_in", "pending", "none", "opted_out"] },
  { name: "Sem opt-in ainda (pedido de consentimento)", optIn: ["pending", "none"] as const },
] as const;

const nextSaturdayAt10 = (now: Date) => {
  const local = dateToZonedLocal(now, TZ);
  const day = new Date(`${local.slice(0, 10)}T12:00:00Z`);
  const ahead = ((6 - day.getUTCDay() + 7) % 7) || 7;
  day.setUTCDate(day.getUTCDate() + ahead);
  return `${day.toISOString().slice(0, 10)}T10:00`;
};

export const seedDemoCampaigns = async (sql: postgres.Sql, organizationId: string, now = new Date()) => {
  // A client of its own: drizzle changes the type parsers and serializers of the client it wraps, and the
  // caller's client must keep postgres.js's own (Dates in, Dates out).
  const o = sql.options;
  const own = postgres({ host: o.host as unknown as string, port: o.port as unknown as number, database: o.database, user: o.user, pass: o.pass ?? undefined, max: 2, onnotice: () => {} });
  try {
    await seedWith(drizzle(own, { schema }), organizationId, now);
  } finally {
    await own.end({ timeout: 5 });
  }
};

const seedWith = async (db: ReturnType<typeof drizzle<typeof schema>>, organizationId: string, now: Date) => {
  const tagRows = await db.select({ id: tags.id, name: tags.name }).from(tags).where(eq(tags.organizationId, organizationId));
  const tagId = (name: string) => tagRows.find((t) => t.name === name)!.id;
  const listIds: number[] = [];
  for (const l of DEMO_LISTS) {
    const filter: AudienceFilter = {
      version: 1,
      ...("tags" in l ? { tags: { any: l.tags.map(tagId) } } : {}),
      ...("states" in l ? { states: [...l.states] } : {}),
      ...("optIn" in l ? { optIn: [...l.optIn] } : {}),
    };
    const savedCount = await countAudience(db, organizationId, filter, { timeZone: TZ });
    const [row] = await db.insert(audiences).values({ organizationId, name: l.name, filter, savedCount }).returning({ id: audiences.id });
    listIds.push(row!.id);
  }
  const people = await db.select({ id: users.id, role: users.role }).from(users).where(eq(users.organizationId, organizationId));
  const actor = (role: "gestor" | "operador") => ({ organizationId, userId: people.find((u) => u.role === role)!.id, role });
  const [vendas] = await db.select({ id: chips.id }).from(chips).where(and(eq(chips.organizationId, organizationId), eq(chips.phoneNumberId, "100000000000001")));
  const tpl = await db
    .select({ id: templates.id, name: templates.name })
    .from(templates)
    .where(and(eq(templates.organizationId, organizationId), inArray(templates.name, ["promo_black_friday", "lembrete_carrinho", "boas_vindas_optin"])));
  const templateId = (name: string) => tpl.find((t) => t.name === name)!.id;
  const [flow] = await db.select({ id: chatbotFlows.id }).from(chatbotFlows).where(and(eq(chatbotFlows.organizationId, organizationId), eq(chatbotFlows.active, true))).limit(1);
  const base = { id: null, chipId: vendas!.id, flowId: flow?.id ?? null, headerMediaUrl: null, packageConsent: true } satisfies Partial<CampaignInput>;

  await saveCampaign(
    db,
    actor("operador"),
    {
      ...base,
      name: "Black Friday 2026",
      audienceId: listIds[0]!,
      templateId: templateId("promo_black_friday"),
      sendMode: "immediate",
      scheduledAt: null,
      headerMediaUrl: "https://lojaexemplo.com.br/midia/black-friday-2026.jpg",
      variables: [
        { component: "body", index: 1, source: "field", field: "first_name", fallback: "cliente" },
        { component: "body", index: 2, source: "text", text: "BLACK20" },
      ],
      packageConsent: false,
    },
    { intent: "draft", timeZone: TZ, now },
  );
  await saveCampaign(
    db,
    actor("operador"),
    {
      ...base,
      name: "Convite para receber ofertas",
      audienceId: listIds[2]!,
      templateId: templateId("boas_vindas_optin"),
      sendMode: "immediate",
      scheduledAt: null,
      variables: [{ component: "body", index: 1, source: "field", field: "first_name", fallback: "tudo bem" }],
    },
    { intent: "submit", timeZone: TZ, now },
  );
  const scheduled = await saveCampaign(
    db,
    actor("gestor"),
    {
      ...base,
      name: "Lembrete de carrinho – sábado",
      audienceId: listIds[1]!,
      templateId: templateId("lembrete_carrinho"),
      sendMode: "scheduled",
      scheduledAt: nextSaturdayAt10(now),
      variables: [{ component: "body", index: 1, source: "field", field: "first_name", fallback: "cliente" }],
    },
    { intent: "submit", timeZone: TZ, now },
  );
  await confirmCampaign(db, actor("gestor"), { id: scheduled.id, chipScope: "this_chip", optInConfirmed: false }, { timeZone: TZ, now });
};
