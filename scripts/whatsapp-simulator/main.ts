// CLI: npm run simulator. Environment: SIM_PORT (default 4010), SIM_HOST (default 127.0.0.1), SIM_APP_SECRET
// (required with SIM_WEBHOOK_URL), SIM_WEBHOOK_URL (where signed webhooks go; unset = none), SIM_CONFIG (path to
// a JSON file with any SimulatorOptions fields; phoneNumbers/templates given there replace the demo ones).
import { readFileSync } from "node:fs";
import { demoSimulatorConfig } from "./default-config";
import { startSimulator, type SimulatorOptions } from "./server";

const say = (line: string) => console.log(`[simulador] ${line}`);

const readConfig = (file: string | undefined): Partial<SimulatorOptions> => {
  if (!file) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("o arquivo deve conter um objeto JSON");
    return parsed as Partial<SimulatorOptions>;
  } catch (err) {
    console.error(`[simulador] SIM_CONFIG inválido (${file}): ${(err as Error).message}`);
    process.exit(2);
  }
};

const fromFile = readConfig(process.env.SIM_CONFIG);
const port = Number(process.env.SIM_PORT ?? fromFile.port ?? 4010);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`[simulador] SIM_PORT inválida: ${process.env.SIM_PORT}`);
  process.exit(2);
}

const options: SimulatorOptions = {
  // Like Meta: a share of Brazilian mobiles get a wa_id without the ninth digit, so the app's matching is exercised.
  waIdWithoutNinthDigitShare: 0.3,
  ...demoSimulatorConfig(),
  ...fromFile,
  port,
  host: process.env.SIM_HOST ?? fromFile.host ?? "127.0.0.1",
  webhookUrl: process.env.SIM_WEBHOOK_URL ?? fromFile.webhookUrl ?? null,
  appSecret: process.env.SIM_APP_SECRET ?? fromFile.appSecret,
  log: say,
};

try {
  const sim = await startSimulator(options);
  say(`WhatsApp Cloud API simulado em ${sim.url}`);
  say(
    options.webhookUrl
      ? `webhooks assinados para ${options.webhookUrl}`
      : "sem SIM_WEBHOOK_URL: nenhum webhook será enviado",
  );
  say(`números: ${options.phoneNumbers.map((p) => `${p.phoneNumberId} (${p.mps} msg/s)`).join(", ")}`);

  let last = "";
  const summary = setInterval(() => {
    const s = sim.stats();
    const line = `${s.accepted} aceitas, ${s.rejected} recusadas; webhooks: ${s.webhooks.delivered} entregues, ${s.webhooks.failed} descartados, ${s.webhooks.pending} pendentes`;
    if (line !== last) say(line);
    last = line;
  }, 10_000);
  summary.unref();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(summary);
    say(`${signal}: encerrando`);
    await sim.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
} catch (err) {
  console.error(`[simulador] não foi possível iniciar: ${(err as Error).message}`);
  process.exit(1);
}
