import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";

export const REPORT_PAGE_SIZE = 50;

export type ReportFilter = { status?: string; q?: string; page: number };

const escapeLike = (v: string) => v.replace(/[\\%_]/g, "\\$&");

/** A campaign's totals by status, replies, skips by reason and failures by error code (one pass each). */
export const reportTotals = async (db: Db, organizationId: string, campaignId: number) => {
  const [byStatus, skips, failures] = await Promise.all([
    db.execute<{ status: string; n: number; replied: number }>(sql`
      select status, count(*)::int as n, count(replied_at)::int as replied from campaign_recipients
       where organization_id = ${organizationId}::uuid and campaign_id = ${campaignId} group by status`),
    db.execute<{ reason: string; n: number }>(sql`
      select skip_reason as reason, count(*)::int as n from campaign_recipients
       where organization_id = ${organizationId}::uuid and campaign_id = ${campaignId} and status = 'skipped'
       group by 1 order by 2 desc`),
    db.execute<{ code: number | null; message: string | null; status: string; n: number }>(sql`
      select error_code as code, min(error_message) as message, status, count(*)::int as n from campaign_recipients
       where organization_id = ${organizationId}::uuid and campaign_id = ${campaignId} and status in ('failed', 'indeterminate')
       group by 1, 3 order by 4 desc`),
  ]);
  const counts: Record<string, number> = {};
  let replied = 0;
  for (const r of byStatus) {
    counts[r.status] = Number(r.n);
    replied += Number(r.replied);
  }
  return { counts, replied, skips: skips.map((s) => ({ reason: s.reason, n: Number(s.n) })), failures: failures.map((f) => ({ ...f, n: Number(f.n) })) };
};

/** One page of the per-recipient table, filtered by status and by name or phone. */
export const reportRows = async (db: Db, organizationId: string, campaignId: number, filter: ReportFilter) => {
  const status = filter.status ? sql`and r.status = ${filter.status}::recipient_status` : sql``;
  const search = filter.q
    ? sql`and (k.name ilike ${`%${escapeLike(filter.q)}%`} or r.phone like ${`%${escapeLike(filter.q.replace(/\D/g, "")) || "\u0000"}%`})`
    : sql``;
  const where = sql`r.organization_id = ${organizationId}::uuid and r.campaign_id = ${campaignId} ${status} ${search}`;
  const [rows, [total]] = await Promise.all([
    db.execute<{
      id: number;
      name: string | null;
      phone: string | null;
      chip: string;
      variables: { header?: string[]; body?: string[] } | null;
      status: string;
      skip_reason: string | null;
      error_code: number | null;
      error_message: string | null;
      sent_at: string | null;
      delivered_at: string | null;
      read_at: string | null;
      replied_at: string | null;
    }>(sql`
      select r.id, k.name, r.phone, ch.name as chip, r.variables, r.status, r.skip_reason, r.error_code, r.error_message,
             r.sent_at, r.delivered_at, r.read_at, r.replied_at
        from campaign_recipients r left join contacts k on k.id = r.contact_id join chips ch on ch.id = r.chip_id
       where ${where} order by r.id limit ${REPORT_PAGE_SIZE} offset ${(filter.page - 1) * REPORT_PAGE_SIZE}`),
    db.execute<{ n: number }>(sql`select count(*)::int as n from campaign_recipients r left join contacts k on k.id = r.contact_id where ${where}`),
  ]);
  return { rows, total: Number(total?.n ?? 0) };
};
