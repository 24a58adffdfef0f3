import { createHmac } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { chatbotFlows, chips, contacts, flowStarts, inboundMessages } from "@/db/schema";
import { decryptSecret } from "@/lib/crypto";
import { env } from "@/lib/env";
import { describeError } from "@/lib/log";
import { endpointPolicyFor, postToEndpoint, type EndpointPolicy } from "@/lib/net/endpoint";
import type { WhatsAppClient } from "./client";

// Starting the chatbot flow a campaign reply was routed to. The webhook's statement records the routing and a
// flow_starts row in one transaction; this works the row, at once after the webhook's answer and again from the
// sweeper (startFlowSweeper) for whatever a restart interrupted or a failure postponed:
//   pending → entry_sending → handoff → done | failed
// The entry message goes out at most once: a row found in entry_sending (the process stopped mid-send) is
// recorded as "unknown" and not sent again. The external bot's hand-off POST is retried with backoff, each
// attempt recorded, so a restart resumes the count instead of starting over. The POST goes only to a public
// address over https (lib/net/endpoint.ts: checked on the connection itself, so a name that changed its answer
// since the flow was saved is caught) and never follows a redirect: a refused address or a 3xx fails the
// hand-off at once, since trying again cannot change it.

export const HANDOFF_ATTEMPTS = 4;
/** A worker holds a row this long; after it, another worker (or this one after a restart) may take it over. */
const LOCK_SECONDS = 120;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const signHandoff = (body: string, secret: string) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

export type FlowStartOptions = {
  /** First hand-off retry delay (ms); each next one is 4× longer. */
  backoffMs?: number;
  /** Where the bot may be; default from the environment (endpointPolicyFor: strict in production). */
  endpointPolicy?: EndpointPolicy;
  /** Wait between hand-off attempts in this call (true: the webhook's immediate run) or leave them to the sweeper. */
  waitForRetries?: boolean;
};

export type FlowStartResult =
  | { id: number; status: "done" | "failed" | "handoff"; entry: string | null; handoff: "none" | "delivered" | "failed" | "later"; attempts: number }
  | null;

const LIVE = ["pending", "entry_sending", "handoff"] as const;
/** Not finished, due, and held by no worker. */
const workable = () =>
  and(
    inArray(flowStarts.status, [...LIVE]),
    sql`${flowStarts.nextAttemptAt} <= now()`,
    sql`(${flowStarts.lockedUntil} is null or ${flowStarts.lockedUntil} < now())`,
  );

/** Takes the row if it is due and nobody holds it; null otherwise. */
const claim = async (db: Db, id: number) => {
  const [row] = await db
    .update(flowStarts)
    .set({ lockedUntil: sql`now() + make_interval(secs => ${LOCK_SECONDS})`, updatedAt: new Date() })
    .where(and(eq(flowStarts.id, id), workable()))
    .returning();
  return row ?? null;
};

/** Works one flow start as far as it can go now. */
export const runFlowStart = async (
  db: Db,
  client: WhatsAppClient,
  encryptionKey: string,
  id: number,
  opts: FlowStartOptions = {},
): Promise<FlowStartResult> => {
  const row = await claim(db, id);
  if (!row) return null;
  const set = (values: Partial<typeof flowStarts.$inferInsert>) =>
    db.update(flowStarts).set({ ...values, updatedAt: new Date() }).where(eq(flowStarts.id, id));

  const [ctx] = await db
    .select({
      flow: chatbotFlows,
      phoneNumberId: chips.phoneNumberId,
      token: chips.accessTokenEncrypted,
      contactName: contacts.name,
      phone: contacts.phone,
      text: inboundMessages.text,
      wamid: inboundMessages.wamid,
    })
    .from(flowStarts)
    .innerJoin(chatbotFlows, and(eq(chatbotFlows.id, flowStarts.flowId), eq(chatbotFlows.organizationId, flowStarts.organizationId)))
    .innerJoin(chips, and(eq(chips.id, flowStarts.chipId), eq(chips.organizationId, flowStarts.organizationId)))
    .innerJoin(contacts, eq(contacts.id, flowStarts.contactId))
    .leftJoin(inboundMessages, eq(inboundMessages.id, flowStarts.inboundMessageId))
    .where(eq(flowStarts.id, id));
  if (!ctx) {
    await set({ status: "failed", lastError: "fluxo, chip ou contato não existe mais", lockedUntil: null });
    return { id, status: "failed", entry: row.entryResult, handoff: "none", attempts: row.handoffAttempts };
  }

  let entry = row.entryResult;
  if (row.status === "entry_sending") {
    // The previous worker stopped between sending and recording: the message may have gone out. Never twice.
    entry = "unknown";
    await set({ status: "handoff", entryResult: entry });
  } else if (row.status === "pending") {
    await set({ status: "entry_sending" });
    const sent = await client.sendText({
      phoneNumberId: ctx.phoneNumberId,
      accessToken: decryptSecret(ctx.token, encryptionKey),
      // A contact who wrote in by username only has no phone: the client refuses "" as an invalid number.
      to: ctx.phone ?? "",
      body: ctx.flow.entryMessage,
      bizOpaqueCallbackData: `flow:${ctx.flow.id}:${row.campaignRecipientId}`,
    });
    entry = sent.ok ? "sent" : sent.kind === "ambiguous" ? "unknown" : `failed: ${sent.kind} ${sent.code ?? sent.httpStatus ?? ""}`.trim();
    if (!sent.ok) console.warn(`[fluxo ${ctx.flow.id}] mensagem de entrada não enviada: ${sent.kind} ${sent.code ?? ""}`);
    await set({ status: "handoff", entryResult: entry, entryWamid: sent.ok ? sent.wamid : null });
  }

  if (!ctx.flow.endpointUrl) {
    await set({ status: "done", lockedUntil: null });
    return { id, status: "done", entry, handoff: "none", attempts: 0 };
  }
  const body = JSON.stringify({
    event: "campaign_reply",
    flow: { id: ctx.flow.id, name: ctx.flow.name },
    contact: { id: row.contactId, name: ctx.contactName, phone: ctx.phone },
    reply: { wamid: ctx.wamid, text: ctx.text },
    campaignRecipientId: row.campaignRecipientId,
  });
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (ctx.flow.endpointSecretEncrypted)
    headers["x-disparo-signature"] = signHandoff(body, decryptSecret(ctx.flow.endpointSecretEncrypted, encryptionKey));
  const policy = opts.endpointPolicy ?? endpointPolicyFor(env());
  const backoff = (attempt: number) => (opts.backoffMs ?? 1000) * 4 ** (attempt - 1);

  for (let attempt = row.handoffAttempts + 1; attempt <= HANDOFF_ATTEMPTS; attempt++) {
    let error: string;
    let final = false;
    const res = await postToEndpoint(ctx.flow.endpointUrl, { headers, body, timeoutMs: 10_000 }, policy);
    if (res.kind === "response" && res.status >= 200 && res.status < 300) {
      await set({ status: "done", handoffAttempts: attempt, lockedUntil: null, lastError: null });
      return { id, status: "done", entry, handoff: "delivered", attempts: attempt };
    }
    if (res.kind === "response" && res.status >= 300 && res.status < 400) {
      error = `bot externo respondeu ${res.status} (redirecionamento não é seguido: configure a URL final do bot)`;
      final = true;
    } else if (res.kind === "response") error = `bot externo respondeu ${res.status}`;
    else if (res.kind === "refused") {
      error = `endereço do bot recusado: ${res.message}`.slice(0, 300);
      final = res.final;
    } else error = `bot externo inalcançável: ${res.message}`.slice(0, 300);
    console.warn(`[fluxo ${ctx.flow.id}] ${error} (tentativa ${attempt})`);
    if (attempt === HANDOFF_ATTEMPTS || final) {
      await set({ status: "failed", handoffAttempts: attempt, lastError: error, lockedUntil: null });
      return { id, status: "failed", entry, handoff: "failed", attempts: attempt };
    }
    const wait = backoff(attempt);
    await set({
      handoffAttempts: attempt,
      lastError: error,
      nextAttemptAt: new Date(Date.now() + wait),
      // Waiting here: keep holding the row; otherwise release it for the sweeper.
      lockedUntil: opts.waitForRetries ? new Date(Date.now() + wait + LOCK_SECONDS * 1000) : null,
    });
    if (!opts.waitForRetries) return { id, status: "handoff", entry, handoff: "later", attempts: attempt };
    await sleep(wait);
  }
  return null; // not reached: the loop returns on success or on the last attempt
};

/** Works every due flow start (a restart's leftovers, postponed retries), oldest first. Returns how many. */
export const sweepFlowStarts = async (db: Db, client: WhatsAppClient, encryptionKey: string, opts: FlowStartOptions = {}) => {
  const due = await db
    .select({ id: flowStarts.id })
    .from(flowStarts)
    .where(workable())
    .orderBy(flowStarts.id)
    .limit(50);
  let worked = 0;
  for (const { id } of due) if (await runFlowStart(db, client, encryptionKey, id, { ...opts, waitForRetries: false })) worked++;
  return worked;
};

const sweeper = globalThis as unknown as { __disparoFlowSweeper?: NodeJS.Timeout };

/** The database went away (stopped, restarting, unreachable), as opposed to a query that failed. */
const CONNECTION_LOST = new Set(["ECONNREFUSED", "ECONNRESET", "CONNECTION_ENDED", "CONNECTION_CLOSED", "CONNECTION_DESTROYED", "57P01", "57P02", "57P03"]);
export const isConnectionLoss = (err: unknown) => CONNECTION_LOST.has(String((err as { code?: unknown } | null)?.code ?? ""));

/**
 * What a failed sweep logs. Losing the database is what stopping the server looks like (the database often
 * stops first): the first sweeps that find it gone log nothing; it is reported once it has lasted
 * `quietSweeps` sweeps in a row (a real outage). Any other failure is logged at once.
 */
export const sweepFailureLog = (quietSweeps = 3) => {
  let lost = 0;
  return {
    failed(err: unknown): string | null {
      if (!isConnectionLoss(err)) return `[fluxo] varredura falhou: ${describeError(err)}`;
      return ++lost === quietSweeps ? `[fluxo] banco de dados indisponível há ${quietSweeps} varreduras: ${describeError(err)}; tentando de novo` : null;
    },
    succeeded() {
      lost = 0;
    },
  };
};

/** Sweeps every `everyMs` in this process (once per process, however many times it is called). */
export const startFlowSweeper = (db: () => Db, client: () => WhatsAppClient, encryptionKey: () => string, everyMs = 5000) => {
  if (sweeper.__disparoFlowSweeper) return;
  let running = false;
  const failures = sweepFailureLog();
  sweeper.__disparoFlowSweeper = setInterval(() => {
    if (running) return;
    running = true;
    sweepFlowStarts(db(), client(), encryptionKey())
      .then(() => failures.succeeded())
      .catch((err) => {
        const line = failures.failed(err);
        if (line) console.error(line);
      })
      .finally(() => (running = false));
  }, everyMs);
  sweeper.__disparoFlowSweeper.unref();
};
