import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMigrations } from "@/db/migrate";
import { flowStartStatus } from "@/db/schema";
import { seedDemo } from "@/db/seed";
import { FINISHED_CAMPAIGNS, seedDemoCampaigns } from "@/db/seed-campaigns";

// The demo's two campaigns that already ran (db/seed-campaigns.ts), as a newcomer finds them in Relatórios: each
// recipient in a state the dispatch core and the webhooks could have left, the replies and opt-outs pointing at
// the campaign, the package debited once per accepted message, and nothing added when the seed runs again.

const CONTACTS = 3000;
const DAY = 86_400_000;
const encryptionKey = randomBytes(32).toString("base64");
const [BLACK_FRIDAY, CART] = FINISHED_CAMPAIGNS.map((c) => c.name) as [string, string];

let sql: postgres.Sql;
let organizationId: string;
let seededAt: Date;

type Campaign = {
  id: number;
  name: string;
  status: string;
  chip_id: number;
  flow_id: number | null;
  created_by_user_id: string;
  confirmed_by_user_id: string;
  created_at: Date;
  confirmed_at: Date;
  started_at: Date;
  snapshot_at: Date;
  finished_at: Date;
  snapshot_count: number;
  frozen_audience_name: string;
  frozen_template: { name: string; category: string };
  frozen_filter: unknown;
  estimate: { recipients: number; chipScope: string };
  chip_scope: string;
};

const finished = () => sql<Campaign[]>`select * from campaigns where status = 'completed' order by id`;
const campaignNamed = async (name: string) => (await finished()).find((c) => c.name === name)!;

const withDatabase = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

// Everything a user sees of the finished campaigns, without identity-dependent values (ids, wamids, org id).
const outcomes = (db: postgres.Sql) => db`
  select c.name, r.contact_id, r.status, r.skip_reason, r.error_code, r.attempts, r.sent_at, r.delivered_at, r.read_at,
         r.failed_at, r.replied_at, r.billable, r.variables, m.type, m.text, m.received_at
    from campaigns c join campaign_recipients r on r.campaign_id = c.id
    left join inbound_messages m on m.campaign_recipient_id = r.id
   where c.status = 'completed' order by c.name, r.contact_id`;

beforeAll(async () => {
  sql = postgres(process.env.DATABASE_URL!, { max: 2, onnotice: () => {} });
  seededAt = new Date();
  ({ organizationId } = await seedDemo(sql, { contacts: CONTACTS, encryptionKey }));
}, 120_000);

afterAll(async () => {
  await sql?.end({ timeout: 5 });
});

describe("campanhas concluídas da demonstração", () => {
  it("Relatórios mostra as duas campanhas concluídas, confirmadas por um gestor, com seus destinatários", async () => {
    const rows = await finished();
    expect(rows.map((c) => c.name)).toEqual([BLACK_FRIDAY, CART]);
    const [gestor] = await sql`select id from users where role = 'gestor'`;
    const lists = new Map(FINISHED_CAMPAIGNS.map((c) => [c.name, c]));
    for (const c of rows) {
      const spec = lists.get(c.name)!;
      const [counts] = await sql`
        select count(*)::int as total, count(*) filter (where status <> 'skipped')::int as reached,
               count(distinct chip_id)::int as chips, max(chip_id) as chip
          from campaign_recipients where campaign_id = ${c.id}`;
      expect(counts!.total).toBeGreaterThan(0);
      expect(c.snapshot_count).toBe(counts!.total);
      // The confirmation's estimate counted exactly the contacts the snapshot reached.
      expect(c.estimate.recipients).toBe(counts!.reached);
      expect(c.estimate.chipScope).toBe(c.chip_scope);
      expect(counts).toMatchObject({ chips: 1, chip: c.chip_id });
      expect(c).toMatchObject({ created_by_user_id: gestor!.id, confirmed_by_user_id: gestor!.id, frozen_audience_name: spec.list });
      expect(c.frozen_template).toMatchObject({ name: spec.template, category: "marketing" });
      expect(c.frozen_filter).toBeTruthy();
      expect(c.created_at.getTime()).toBeLessThan(c.confirmed_at.getTime());
      expect(c.confirmed_at.getTime()).toBeLessThan(c.started_at.getTime());
      expect(c.snapshot_at).toEqual(c.started_at);
      expect(c.started_at.getTime()).toBeLessThan(c.finished_at.getTime());
      // Sent in seconds to minutes, at the chip's pace, retries and a lost answer included.
      expect(c.finished_at.getTime() - c.started_at.getTime()).toBeLessThan(10 * 60_000);
    }
    const [bf, cart] = [rows[0]!, rows[1]!];
    const ago = (c: Campaign) => (seededAt.getTime() - c.finished_at.getTime()) / DAY;
    expect(ago(bf)).toBeGreaterThan(8);
    expect(ago(bf)).toBeLessThan(10);
    expect(ago(cart)).toBeGreaterThan(2);
    expect(ago(cart)).toBeLessThan(4);
    expect(bf.flow_id).not.toBeNull();
    expect(cart.flow_id).toBeNull();
    expect(cart.chip_id).not.toBe(bf.chip_id);
    // Every recipient's moment is past: nothing waits for later.
    const [future] = await sql`
      select count(*)::int as n from campaign_recipients
       where greatest(created_at, last_attempt_at, sent_at, delivered_at, read_at, failed_at, replied_at) > ${seededAt}`;
    expect(future!.n).toBe(0);
  });

  it("o status de cada destinatário condiz com seus horários, código de erro e motivo", async () => {
    const [bad] = await sql`
      select count(*) filter (where status = 'read' and (read_at is null or delivered_at is null or sent_at is null or wamid is null
                                                         or not (sent_at <= delivered_at and delivered_at <= read_at)))::int as read,
             count(*) filter (where status = 'delivered' and (delivered_at is null or sent_at is null or read_at is not null
                                                              or wamid is null or delivered_at < sent_at))::int as delivered,
             count(*) filter (where status = 'sent' and (sent_at is null or wamid is null or delivered_at is not null))::int as sent,
             count(*) filter (where status = 'failed' and (error_code is null or error_message is null or failed_at is null
                                                           or delivered_at is not null or (sent_at is not null and failed_at < sent_at)))::int as failed,
             count(*) filter (where status = 'skipped' and (skip_reason is null or wamid is not null or sent_at is not null
                                                            or attempts <> 0 or last_attempt_at is not null))::int as skipped,
             count(*) filter (where status = 'indeterminate' and (wamid is not null or sent_at is not null or error_message is null
                                                                  or last_attempt_at is null))::int as indeterminate,
             count(*) filter (where status <> 'skipped' and (skip_reason is not null or attempts < 1 or last_attempt_at is null))::int as attempted,
             count(*) filter (where replied_at is not null and (status <> 'read' or replied_at < read_at))::int as replied,
             count(*) filter (where status in ('pending', 'sending'))::int as unfinished,
             count(*) filter (where sent_at is not null and sent_at < r.created_at)::int as before_snapshot
        from campaign_recipients r`;
    expect(bad).toEqual({ read: 0, delivered: 0, sent: 0, failed: 0, skipped: 0, indeterminate: 0, attempted: 0, replied: 0, unfinished: 0, before_snapshot: 0 });

    // Most messages were read or delivered; failures of several kinds with Meta's codes; a lost answer; skips.
    const byStatus = await sql`select status, count(*)::int as n from campaign_recipients group by 1`;
    const n = (s: string) => byStatus.find((r) => r.status === s)?.n ?? 0;
    const accepted = n("sent") + n("delivered") + n("read");
    expect((n("read") + n("delivered")) / accepted).toBeGreaterThan(0.75);
    expect(n("sent")).toBeGreaterThan(0);
    expect(n("indeterminate")).toBeGreaterThanOrEqual(1);
    expect(n("indeterminate")).toBeLessThanOrEqual(2);
    const codes = (await sql`select distinct error_code from campaign_recipients where status = 'failed'`).map((r) => r.error_code);
    expect(codes.sort()).toEqual(expect.arrayContaining([131026, 131049, 131050, 130472, 131000]));
    const messages = await sql`select error_code, min(error_message) as m from campaign_recipients where status = 'failed' group by 1`;
    const message = (code: number) => messages.find((r) => r.error_code === code)?.m as string;
    expect(message(131026)).toMatch(/^Message undeliverable/);
    expect(message(131049)).toMatch(/^This message was not delivered to maintain healthy ecosystem engagement\./);
    expect(message(131050)).toMatch(/chosen to stop receiving marketing messages/);
    expect(message(130472)).toMatch(/part of an experiment/);
    // Refused by the API (never accepted: no wamid) after its five attempts: "Reenviar falhas" may send it again.
    const [refused] = await sql`select wamid, attempts, sent_at from campaign_recipients where error_code = 131000`;
    expect(refused).toEqual({ wamid: null, attempts: 5, sent_at: null });
    // Failures reported by a status webhook came after Meta accepted the message.
    const [afterAccept] = await sql`
      select count(*)::int as n from campaign_recipients where error_code in (131026, 131049, 131050, 130472) and (wamid is null or sent_at is null)`;
    expect(afterAccept!.n).toBe(0);
  });

  it("pula quem as regras do envio pulariam, com o motivo que os dados do contato dão", async () => {
    const rows = await sql`
      select r.status, r.skip_reason, k.opt_in_status, k.opt_in_at, k.opted_out_at, c.snapshot_at, r.phone, k.phone as contact_phone
        from campaign_recipients r join campaigns c on c.id = r.campaign_id join contacts k on k.id = r.contact_id`;
    const skipped = rows.filter((r) => r.status === "skipped");
    expect(new Set(skipped.map((r) => r.skip_reason))).toEqual(new Set(["opted_out", "no_opt_in"]));
    for (const r of rows) {
      expect(r.phone).toBe(r.contact_phone);
      if (r.skip_reason === "opted_out") {
        expect(r.opt_in_status).toBe("opted_out");
        expect(r.opted_out_at.getTime()).toBeLessThan(r.snapshot_at.getTime());
      } else if (r.skip_reason === "no_opt_in") expect(["none", "pending"]).toContain(r.opt_in_status);
      else {
        // Reached: opted in when the snapshot was taken (some opted out afterwards, because of this campaign).
        expect(r.opt_in_at.getTime()).toBeLessThan(r.snapshot_at.getTime());
        if (r.opt_in_status !== "opted_in") expect(r.opted_out_at.getTime()).toBeGreaterThan(r.snapshot_at.getTime());
      }
    }
  });

  it("o contato do erro 131050 fica descadastrado, com o evento de consentimento daquela campanha", async () => {
    const bf = await campaignNamed(BLACK_FRIDAY);
    const blocked = await sql`
      select r.contact_id, r.failed_at, r.chip_id, k.opt_in_status, k.opted_out_at, k.opt_in_source,
             e.source, e.campaign_id, e.chip_id as event_chip, e.occurred_at, e.text_shown
        from campaign_recipients r join contacts k on k.id = r.contact_id
        left join consent_events e on e.contact_id = r.contact_id and e.status = 'opted_out'
       where r.error_code = 131050`;
    expect(blocked).toHaveLength(1);
    const b = blocked[0]!;
    expect(b).toMatchObject({ opt_in_status: "opted_out", source: "api_error", campaign_id: bf.id, event_chip: b.chip_id });
    expect(b.occurred_at).toEqual(b.opted_out_at);
    expect(b.opted_out_at.getTime()).toBeGreaterThanOrEqual(b.failed_at.getTime());
    expect(b.text_shown).toMatch(/131050/);
    // How the contact had opted in is kept (its opted_in consent event says the same).
    const [optedIn] = await sql`select source from consent_events where contact_id = ${b.contact_id} and status = 'opted_in'`;
    expect(optedIn!.source).toBe(b.opt_in_source);
    // Every opt-out a finished campaign caused has exactly one consent event for it, at the contact's opted_out_at.
    const [events] = await sql`
      select count(*)::int as n,
             count(*) filter (where k.opt_in_status <> 'opted_out' or k.opted_out_at <> e.occurred_at)::int as mismatched
        from consent_events e join contacts k on k.id = e.contact_id where e.campaign_id is not null`;
    expect(events!.mismatched).toBe(0);
    expect(events!.n).toBe(3); // 131050, "SAIR" and the "Parar promoções" button
  });

  it("cada resposta aponta para um destinatário daquela campanha; SAIR descadastra, as outras vão para o fluxo", async () => {
    const replies = await sql`
      select m.id, m.type, m.text, m.payload, m.context_wamid, m.contact_id, m.from_phone, m.chip_id, m.received_at,
             r.campaign_id, r.wamid, r.contact_id as recipient_contact, r.phone, r.chip_id as recipient_chip, r.replied_at,
             r.routed_flow_id, c.name as campaign, c.flow_id, f.id as flow_start, f.status as flow_status, f.flow_id as started_flow,
             f.inbound_message_id, f.entry_result
        from inbound_messages m
        join campaign_recipients r on r.id = m.campaign_recipient_id
        join campaigns c on c.id = r.campaign_id
        left join flow_starts f on f.campaign_recipient_id = r.id
       order by m.id`;
    expect(replies.length).toBeGreaterThanOrEqual(6);
    for (const m of replies) {
      expect(m.context_wamid).toBe(m.wamid);
      expect(m.contact_id).toBe(m.recipient_contact);
      expect(m.from_phone).toBe(m.phone);
      expect(m.chip_id).toBe(m.recipient_chip);
      expect(m.replied_at).toEqual(m.received_at);
      expect(["text", "button"]).toContain(m.type);
      if (m.type === "button") expect(m.payload).toEqual({ payload: m.text });
      const optOut = m.text === "SAIR" || m.text === "Parar promoções";
      if (optOut) {
        const [e] = await sql`select source, campaign_id, text_shown from consent_events where contact_id = ${m.contact_id} and status = 'opted_out' and campaign_id is not null`;
        expect(e).toEqual({ source: "keyword", campaign_id: m.campaign_id, text_shown: `Respondeu “${m.text}”` });
        const [k] = await sql`select opt_in_status from contacts where id = ${m.contact_id}`;
        expect(k!.opt_in_status).toBe("opted_out");
      }
      if (m.flow_id && !optOut) {
        expect(m.routed_flow_id).toBe(m.flow_id);
        expect(m).toMatchObject({ started_flow: m.flow_id, inbound_message_id: m.id, entry_result: "sent" });
        expect(flowStartStatus.enumValues).toContain(m.flow_status);
      } else {
        // An opt-out is never routed to a chatbot; a campaign without a flow routes nothing.
        expect(m.routed_flow_id).toBeNull();
        expect(m.flow_start).toBeNull();
      }
    }
    const texts = replies.map((m) => m.text);
    expect(texts).toContain("SAIR");
    expect(texts).toContain("Quero saber mais");
    expect(replies.filter((m) => m.campaign === BLACK_FRIDAY && m.flow_start).length).toBeGreaterThanOrEqual(2);
    expect(replies.some((m) => m.type === "text" && m.text !== "SAIR")).toBe(true);
    // Replies are the contacts' latest interaction, on the chip they wrote to.
    const [stale] = await sql`
      select count(*)::int as n from inbound_messages m join contacts k on k.id = m.contact_id
        join contact_chips cc on cc.contact_id = m.contact_id and cc.chip_id = m.chip_id
       where k.last_interaction_at < m.received_at or cc.last_seen_at < m.received_at or cc.last_seen_at > k.last_interaction_at`;
    expect(stale!.n).toBe(0);
    // Every recipient marked as replied has its message.
    const [orphans] = await sql`
      select count(*)::int as n from campaign_recipients r
       where r.replied_at is not null and not exists (select 1 from inbound_messages m where m.campaign_recipient_id = r.id)`;
    expect(orphans!.n).toBe(0);
  });

  it("debita o pacote uma vez por mensagem aceita pela Meta, com o saldo encadeado até o da organização", async () => {
    for (const c of await finished()) {
      const [r] = await sql`
        select (select count(*)::int from campaign_recipients where campaign_id = ${c.id} and wamid is not null) as accepted,
               (select count(*)::int from package_ledger where campaign_id = ${c.id} and kind = 'debit') as debits,
               (select count(*)::int from package_ledger l join campaign_recipients r on r.id = l.recipient_id
                 where l.campaign_id = ${c.id} and l.kind = 'debit' and r.campaign_id = ${c.id} and r.wamid is not null
                   and l.amount = -1 and l.created_at = r.sent_at) as matching`;
      expect(r!.debits).toBeGreaterThan(0);
      expect(r!.debits).toBe(r!.accepted);
      expect(r!.matching).toBe(r!.accepted);
    }
    const ledger = await sql`select amount, balance_after, created_at from package_ledger order by id`;
    expect(ledger[0]).toMatchObject({ amount: 50000, balance_after: 50000 });
    for (let i = 1; i < ledger.length; i++) {
      expect(ledger[i]!.balance_after).toBe(ledger[i - 1]!.balance_after + ledger[i]!.amount);
      expect(ledger[i]!.created_at.getTime()).toBeGreaterThanOrEqual(ledger[i - 1]!.created_at.getTime());
    }
    const [org] = await sql`select package_balance from organizations where id = ${organizationId}`;
    expect(org!.package_balance).toBe(ledger.at(-1)!.balance_after);
  });

  it("sabe o que a Meta cobra: cobrável para as aceitas, exceto duas de uma janela gratuita", async () => {
    const [b] = await sql`
      select count(*) filter (where status in ('sent', 'delivered', 'read') and billable is null)::int as unknown,
             count(*) filter (where status in ('sent', 'delivered', 'read') and billable = false)::int as free,
             count(*) filter (where status not in ('sent', 'delivered', 'read') and billable is not null)::int as unexpected
        from campaign_recipients`;
    expect(b).toEqual({ unknown: 0, free: 2, unexpected: 0 });
    // The free ones wrote from an ad (a free entry point) within 72 hours before the campaign.
    const [ad] = await sql`
      select count(*)::int as n from campaign_recipients r join campaigns c on c.id = r.campaign_id
       where r.billable = false and exists (
         select 1 from inbound_messages m where m.contact_id = r.contact_id and m.chip_id = r.chip_id
            and m.campaign_recipient_id is null and m.received_at between c.started_at - interval '72 hours' and c.started_at)`;
    expect(ad!.n).toBe(2);
  });

  it("rodar o seed de novo não acrescenta nada", async () => {
    const census = async () => {
      const [row] = await sql`
        select (select count(*)::int from campaigns) as campaigns, (select count(*)::int from campaign_recipients) as recipients,
               (select count(*)::int from audiences) as audiences, (select count(*)::int from inbound_messages) as inbound,
               (select count(*)::int from flow_starts) as flow_starts, (select count(*)::int from consent_events) as consent,
               (select count(*)::int from package_ledger) as ledger, (select count(*)::int from audit_log) as audit,
               (select package_balance from organizations) as balance,
               (select count(*)::int from contacts where opt_in_status = 'opted_out') as opted_out,
               (select max(updated_at) from campaigns) as campaigns_updated`;
      return row;
    };
    const before = await census();
    await seedDemoCampaigns(sql, organizationId);
    expect(await census()).toEqual(before);
    await expect(seedDemo(sql, { contacts: 10, encryptionKey })).rejects.toThrow(/já tem uma organização/);
    expect(await census()).toEqual(before);
  });

  it("gera os mesmos resultados a partir do mesmo dia e da mesma semente", async () => {
    const url = process.env.DATABASE_URL!;
    const name = decodeURIComponent(new URL(url).pathname.slice(1));
    const admin = postgres(withDatabase(url, "postgres"), { max: 1, onnotice: () => {} });
    const now = new Date("2026-11-20T15:00:00-03:00");
    const dbs = [`${name}_x`, `${name}_y`];
    try {
      const prints = [];
      for (const db of dbs) {
        await admin.unsafe(`drop database if exists "${db}" with (force)`);
        await admin.unsafe(`create database "${db}"`);
        await runMigrations(withDatabase(url, db));
        const other = postgres(withDatabase(url, db), { max: 2, onnotice: () => {} });
        try {
          const seeded = await seedDemo(other, { contacts: 1500, encryptionKey, campaigns: false });
          const started = performance.now();
          await seedDemoCampaigns(other, seeded.organizationId, now);
          // Fast: the lists, two finished campaigns and the three others in well under a second.
          expect(performance.now() - started).toBeLessThan(3000);
          prints.push(await outcomes(other));
        } finally {
          await other.end({ timeout: 5 });
        }
      }
      expect(prints[0]!.length).toBeGreaterThan(0);
      expect(prints[1]).toEqual(prints[0]);
      const bf = prints[0]!.filter((r) => r.name === BLACK_FRIDAY && r.sent_at);
      // Nine days before that "now", in the morning on São Paulo's clock.
      expect(bf[0]!.sent_at.toISOString().slice(0, 10)).toBe("2026-11-11");
    } finally {
      for (const db of dbs) await admin.unsafe(`drop database if exists "${db}" with (force)`);
      await admin.end({ timeout: 5 });
    }
  }, 120_000);
});
