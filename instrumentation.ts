// Runs once when the server starts: validates the environment (production refuses to start on a bad one)
// and says which dispatch engine runs.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env, dispatchEngine } = await import("@/lib/env");
  const e = env();
  console.log(`[disparo] motor de disparo: ${dispatchEngine(e)} · WhatsApp API: ${e.WHATSAPP_API_BASE_URL}/${e.WHATSAPP_API_VERSION}`);
}
