// The simulator's default configuration: the demo seed's chips, WABA and templates, so `npm run dev` sends
// against the same numbers, tokens and templates the seeded database holds. Only main.ts (and tests) import
// this file; server.ts stays free of app code. db/seed.ts needs no database to be imported.
import { DEMO_CHIPS, DEMO_ORG_NAME, DEMO_TEMPLATES } from "@/db/seed";
import type { SimPhoneNumber, SimTemplate, SimulatorOptions } from "./server";

/**
 * A number the simulator knows but the seed does not register: for trying Configurações › Chips › Novo chip
 * ("Testar conexão" answers with it) in development and in the browser tests.
 */
export const SPARE_NUMBER = {
  phoneNumberId: "100000000000003",
  wabaId: "200000000000001",
  displayPhoneNumber: "+55 11 4000-3000",
  accessToken: "EAAGdemoLojaExemploNovoChip0000000000000000000000000003",
} as const;

/** The seed stores templates as pt_BR with meta ids 900000000000001 + position (see db/seed.ts). */
export const DEMO_TEMPLATE_LANGUAGE = "pt_BR";

/** The demo portfolio's messaging limit (whatsapp_business_manager_messaging_limit), shared by all its numbers. */
export const DEMO_PORTFOLIO_MESSAGING_LIMIT = "TIER_2K";

export const demoSimulatorConfig = (): Pick<SimulatorOptions, "phoneNumbers" | "templates" | "portfolioMessagingLimit"> => {
  const phoneNumbers: SimPhoneNumber[] = DEMO_CHIPS.map((c) => ({
    phoneNumberId: c.phoneNumberId,
    wabaId: c.wabaId,
    displayPhoneNumber: c.displayNumber,
    verifiedName: DEMO_ORG_NAME,
    accessToken: c.accessToken,
    mps: c.messagesPerSecond,
    qualityRating: c.qualityRating.toUpperCase(),
    messagingLimitTier: c.messagingLimitTier,
  }));
  phoneNumbers.push({ ...SPARE_NUMBER, verifiedName: DEMO_ORG_NAME, mps: 80, qualityRating: "GREEN", messagingLimitTier: "TIER_1K" });
  const templates: SimTemplate[] = DEMO_TEMPLATES.map((t, i) => ({
    id: String(900000000000001 + i),
    name: t.name,
    language: DEMO_TEMPLATE_LANGUAGE,
    category: t.category.toUpperCase(),
    status: t.status.toUpperCase(),
    components: [...t.components],
  }));
  const wabaIds = [...new Set(DEMO_CHIPS.map((c) => c.wabaId))];
  return {
    phoneNumbers,
    templates: Object.fromEntries(wabaIds.map((id) => [id, templates])),
    portfolioMessagingLimit: DEMO_PORTFOLIO_MESSAGING_LIMIT,
  };
};
