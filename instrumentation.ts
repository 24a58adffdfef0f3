// Runs once when the server starts: validates the environment (production refuses to start on a bad one),
// says which dispatch engine runs, and starts the chatbot flow sweeper.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env, dispatchEngine } = await import("@/lib/env");
  const e = env();
  console.log(`[disparo] motor de disparo: ${dispatchEngine(e)} · WhatsApp API: ${e.WHATSAPP_API_BASE_URL}/${e.WHATSAPP_API_VERSION}`);
  // Chatbot flow starts a restart interrupted, and hand-off retries that were postponed (lib/whatsapp/flow-routing.ts).
  if (process.env.DATABASE_URL) {
    const [{ getDb }, { startFlowSweeper }, { appWhatsAppClient }] = await Promise.all([
      import("@/db/client"),
      import("@/lib/whatsapp/flow-routing"),
      import("@/lib/whatsapp-runtime"),
    ]);
    startFlowSweeper(getDb, appWhatsAppClient, () => env().ENCRYPTION_KEY);
  }
}
