import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { organizations, packageLedger } from "@/db/schema";
import { ActionError } from "./action-error";
import { audit } from "./audit";
import { formatCount } from "./i18n/labels";
import { MAX_PACKAGE_ADJUSTMENT, MAX_PACKAGE_BALANCE, REASON_MAX_LENGTH, STATEMENT_PAGE_SIZE } from "./ledger-limits";

// The conversation package's ledger (package_ledger): every change of organizations.package_balance is a row here,
// written in the same transaction as the balance and under the organization row's lock (the send engine's debits in
// lib/campaigns/dispatch.ts take the same lock). Settings never write the balance; an admin's manual adjustment is a
// movement of its own.

const ADJUST_ACTION = "package.adjust";

// "500", "+500", "-200", "−200" (a typographic minus), "1.000" and "10.000.000" (Brazilian thousands separators).
const INTEGER = /^[+\-−]?(\d{1,3}(\.\d{3})+|\d+)$/;

const amount = z.union([z.string(), z.number()]).transform((raw, ctx) => {
  const text = typeof raw === "number" ? String(raw) : raw.replace(/\s/g, "");
  const fail = (message: string) => {
    ctx.addIssue({ code: "custom", message });
    return z.NEVER;
  };
  if (!text) return fail("Informe quantas mensagens somar (ex.: 500) ou retirar (ex.: -200).");
  if (!INTEGER.test(text)) return fail("Use um número inteiro de mensagens, como 500 para somar ou -200 para retirar.");
  const n = Number(text.replace("−", "-").replaceAll(".", ""));
  if (n === 0) return fail("O ajuste não pode ser zero: informe quantas mensagens somar ou retirar.");
  if (!Number.isSafeInteger(n) || Math.abs(n) > MAX_PACKAGE_ADJUSTMENT)
    return fail(`Ajuste grande demais: no máximo ${formatCount(MAX_PACKAGE_ADJUSTMENT)} mensagens por vez.`);
  return n;
});

export const packageAdjustmentSchema = z.object({
  amount: z.union([z.string(), z.number()], { error: "Informe quantas mensagens somar ou retirar." }).pipe(amount),
  reason: z
    .string({ error: "Informe o motivo do ajuste (ele aparece no extrato)." })
    .trim()
    .min(3, "Informe o motivo do ajuste (ele aparece no extrato).")
    .max(REASON_MAX_LENGTH, `Motivo longo demais (máximo ${REASON_MAX_LENGTH} caracteres).`),
});

export type PackageAdjustment = z.output<typeof packageAdjustmentSchema>;

/**
 * Adds (or, negative, removes) messages to the package: balance = balance + amount and its ledger movement, with who
 * and why, in one transaction. The balance stays within 0…MAX_PACKAGE_BALANCE (the column would take a negative
 * number; a prepaid package does not).
 */
export const adjustPackage = async (db: Db, actor: { organizationId: string; userId: string }, input: PackageAdjustment) =>
  db.transaction(async (tx) => {
    const [org] = await tx
      .select({ balance: organizations.packageBalance })
      .from(organizations)
      .where(eq(organizations.id, actor.organizationId))
      .for("update");
    if (!org) throw new ActionError("not_found", "Organização não encontrada.");
    const after = org.balance + input.amount;
    const refuse = (message: string) => new ActionError("invalid", "Confira os campos destacados.", { amount: [message] });
    if (after < 0)
      throw refuse(
        org.balance > 0
          ? `O saldo é de ${formatCount(org.balance)} mensagens: retire no máximo ${formatCount(org.balance)}.`
          : "O saldo já está zerado: não há mensagens para retirar.",
      );
    if (after > MAX_PACKAGE_BALANCE)
      throw refuse(`O saldo ficaria acima do máximo de ${formatCount(MAX_PACKAGE_BALANCE)} mensagens.`);
    await tx
      .update(organizations)
      .set({ packageBalance: sql`${organizations.packageBalance} + ${input.amount}`, updatedAt: new Date() })
      .where(eq(organizations.id, actor.organizationId));
    // The ledger has no kind for an adjustment: a positive one is a manual credit, a negative one a refund, as
    // before; the audit entry below is what marks both as "ajuste manual" in the statement.
    const [entry] = await tx
      .insert(packageLedger)
      .values({
        organizationId: actor.organizationId,
        kind: input.amount > 0 ? "manual_credit" : "refund",
        amount: input.amount,
        balanceAfter: after,
        userId: actor.userId,
        note: input.reason,
      })
      .returning({ id: packageLedger.id });
    await audit(tx, {
      ...actor,
      action: ADJUST_ACTION,
      entityType: "package_ledger",
      entityId: entry!.id,
      data: { amount: input.amount, reason: input.reason, balanceBefore: org.balance, balanceAfter: after },
    });
    return { balance: after, entryId: entry!.id };
  });

const signed = new Intl.NumberFormat("pt-BR", { signDisplay: "exceptZero" });

/** "+5.000", "-1.234": a movement's amount as the statement shows it. */
export const formatSigned = (n: number) => signed.format(n);

export type StatementKind = "debit" | "auto_increase" | "credit" | "adjustment" | "refund";

export const statementKindLabels: Record<StatementKind, string> = {
  debit: "Débito da campanha",
  auto_increase: "Aumento automático",
  credit: "Crédito",
  adjustment: "Ajuste manual",
  refund: "Estorno",
};

export type StatementRow = {
  id: number;
  kind: StatementKind;
  /** The movement's time; for debits, the last of the group. */
  at: Date;
  firstAt: Date;
  /** Signed: debits are negative. */
  amount: number;
  /** How many ledger rows the line sums (debits: one per message). */
  movements: number;
  balanceAfter: number;
  campaign: { id: number; name: string } | null;
  /** A debit or increase whose campaign was deleted since. */
  campaignDeleted: boolean;
  userName: string | null;
  reason: string | null;
};

export type Statement = { rows: StatementRow[]; page: number; hasMore: boolean };

type Group = { lastId: number; firstAt: Date | string; amount: number; movements: number };

/**
 * The package statement, newest first, a page at a time. The engine writes one debit per accepted message, so a
 * campaign's debits of one day (on the organization's clock) are one line: their sum, and the balance after the
 * last of them. Every other movement is a line of its own. Who: the user who made it; for an automatic increase,
 * who authorized increases when confirming the campaign.
 *
 * Read a day at a time from the newest (package_ledger_org_time_idx), only as far back as the page needs: a page
 * costs the rows of its days, not the organization's whole history (a million debits a year is a busy customer).
 */
export const packageStatement = async (
  db: Db,
  organizationId: string,
  options: { timeZone: string; page?: number; pageSize?: number },
): Promise<Statement> => {
  const pageSize = options.pageSize ?? STATEMENT_PAGE_SIZE;
  const page = Math.max(1, Math.floor(options.page ?? 1));
  const wanted = page * pageSize + 1; // one more than the page: is there an older page?
  const groups: Group[] = [];
  let before = "infinity";
  while (groups.length < wanted) {
    const day = await db.execute<{ day_start: string; last_id: number; first_at: Date | string; amount: number; movements: number }>(sql`
      with d as (
        select date_trunc('day', max(created_at) at time zone ${options.timeZone}) at time zone ${options.timeZone} as start
          from package_ledger
         where organization_id = ${organizationId}::uuid and created_at < ${before}::timestamptz
      )
      select d.start::text as day_start, max(l.id) as last_id, min(l.created_at) as first_at,
             sum(l.amount)::int as amount, count(*)::int as movements
        from d
        join package_ledger l on l.organization_id = ${organizationId}::uuid and l.created_at >= d.start and l.created_at < ${before}::timestamptz
       group by d.start, l.kind, l.campaign_id, case when l.kind <> 'debit' then l.id end
       order by max(l.id) desc`);
    if (!day.length) break;
    for (const g of day) groups.push({ lastId: Number(g.last_id), firstAt: g.first_at, amount: Number(g.amount), movements: Number(g.movements) });
    before = day[0]!.day_start;
  }
  const shown = groups.slice((page - 1) * pageSize, page * pageSize);
  if (!shown.length) return { rows: [], page, hasMore: false };
  const details = await db.execute<Detail>(sql`
    select l.id, l.kind, l.created_at as at, l.balance_after, l.campaign_id, c.name as campaign_name, l.note,
           u.name as user_name,
           -- An adjustment's audit entry was written in the same transaction: same created_at (now()).
           exists (select 1 from audit_log a
                    where a.organization_id = l.organization_id and a.created_at = l.created_at
                      and a.action = ${ADJUST_ACTION} and a.entity_id = l.id::text) as adjustment
      from package_ledger l
      left join campaigns c on c.id = l.campaign_id and c.organization_id = l.organization_id
      left join users u on u.organization_id = l.organization_id
                       and u.id = coalesce(l.user_id, case when l.kind = 'auto_increase' then c.package_consent_by_user_id end)
     where l.organization_id = ${organizationId}::uuid and l.id = any(${sql.param(shown.map((g) => g.lastId))}::bigint[])`);
  const byId = new Map(details.map((d) => [Number(d.id), d]));
  return {
    rows: shown.map((g) => toRow(g, byId.get(g.lastId)!)),
    page,
    hasMore: groups.length > page * pageSize,
  };
};

type Detail = {
  id: number;
  kind: "debit" | "auto_increase" | "manual_credit" | "refund";
  at: Date | string;
  balance_after: number;
  campaign_id: number | null;
  campaign_name: string | null;
  note: string | null;
  user_name: string | null;
  adjustment: boolean;
};

const kindOf = (d: Detail): StatementKind => (d.adjustment ? "adjustment" : d.kind === "manual_credit" ? "credit" : d.kind);

const toRow = (g: Group, d: Detail): StatementRow => ({
  id: g.lastId,
  kind: kindOf(d),
  at: new Date(d.at),
  firstAt: new Date(g.firstAt),
  amount: g.amount,
  movements: g.movements,
  balanceAfter: Number(d.balance_after),
  campaign: d.campaign_id !== null && d.campaign_name !== null ? { id: Number(d.campaign_id), name: d.campaign_name } : null,
  campaignDeleted: (d.kind === "debit" || d.kind === "auto_increase") && d.campaign_id === null,
  userName: d.user_name,
  reason: d.note,
});
