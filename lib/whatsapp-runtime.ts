import { env } from "@/lib/env";
import { createWhatsAppClient, type WhatsAppClient } from "@/lib/whatsapp/client";

let client: WhatsAppClient | undefined;

// One client per process, pointed at the Cloud API (or the simulator in development) by the environment.
export const appWhatsAppClient = (): WhatsAppClient => {
  if (client) return client;
  const e = env();
  client = createWhatsAppClient({
    baseUrl: e.WHATSAPP_API_BASE_URL,
    version: e.WHATSAPP_API_VERSION,
    log: (entry) => {
      if (!entry.ok) console.warn(`[whatsapp] ${entry.op} ${entry.path} falhou: ${entry.kind ?? ""} ${entry.code ?? entry.networkCode ?? entry.httpStatus ?? ""}`);
    },
  });
  return client;
};
