import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { contactImports, users, type Role } from "@/db/schema";
import { ActionError } from "@/lib/auth/action";
import { audit } from "@/lib/audit";
import { formatDateTime } from "@/lib/i18n/labels";
import type { OptInStatus } from "./fields";
import { consentSig, contactConsentSig, dataSig, isStaleRun } from "./record";
import { decideUndo, type UndoFacts } from "./undo-plan";
import { emptyUndoOutcome, type UndoOutcome } from "./undo-outcome";

// "Desfazer importação": one transaction that takes the import's record, then every contact it wrote, in id order,
// and puts back what nothing has touched since (lib/imports/undo-plan.ts decides, contact by contact).

/** Importing is for operadores; undoing deletes contacts in bulk, so it asks for more. */
export const UNDO_IMPORT_ROLE: Role = "gestor";

export const undoMessages = {
  notFound: "Importação não encontrada nesta organização. Recarregue a página de importação e escolha na lista.",
  alreadyUndone: (at: string, by: string | null) =>
    `Esta importação já foi desfeita em ${at}${by ? ` por ${by}` : ""}. Nada mudou agora.`,
  stillRunning:
    "Esta importação ainda está gravando: aguarde o fim para desfazê-la. O resultado aparece nesta página assim que terminar.",
};

type Actor = { organizationId: string; userId: string; timeZone: string };

type FactsRow = {
  id: string;
  kind: "created" | "updated";
  data_edited: boolean;
  consent_edited: boolean;
  later_import: boolean;
  before_known: boolean;
  import_changed_consent: boolean;
  in_campaign: boolean;
  has_messages: boolean;
  outside_consent: boolean;
  current_status: OptInStatus;
  before_status: OptInStatus | null;
};

const idsParam = (ids: readonly string[]) =>
  sql`(select x::bigint from jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb) as x)`;

// How many rows a writing statement touched, without bringing them back.
const counted = async (tx: Tx, statement: SQL) => {
  const [row] = await tx.execute<{ n: number }>(sql`with w as (${statement}) select count(*)::int as n from w`);
  return Number(row?.n ?? 0);
};

export type UndoResult = { importId: string; fileName: string; undoneAt: string; outcome: UndoOutcome };

export const undoImport = async (db: Db, actor: Actor, importId: string, now = new Date()): Promise<UndoResult> =>
  db.transaction(async (tx) => {
    const org = actor.organizationId;
    const record = () =>
      tx
        .select()
        .from(contactImports)
        .where(and(eq(contactImports.organizationId, org), eq(contactImports.id, importId)));
    // A live run holds its record during each batch: answer "aguarde" at once rather than after the batch.
    const [seen] = await record();
    if (!seen) throw new ActionError("not_found", undoMessages.notFound);
    if (seen.state === "running" && !isStaleRun(seen, now.getTime())) throw new ActionError("conflict", undoMessages.stillRunning);
    // Then the record under lock: a batch of the same import takes it first too (lib/imports/record.ts claimBatch).
    const [rec] = await record().for("update");
    if (!rec) throw new ActionError("not_found", undoMessages.notFound);
    if (rec.undoneAt) {
      const [by] = rec.undoneByUserId
        ? await tx.select({ name: users.name }).from(users).where(eq(users.id, rec.undoneByUserId))
        : [];
      throw new ActionError("conflict", undoMessages.alreadyUndone(formatDateTime(rec.undoneAt, actor.timeZone), by?.name ?? null));
    }
    if (rec.state === "running" && !isStaleRun(rec, now.getTime())) throw new ActionError("conflict", undoMessages.stillRunning);

    // Every contact the import wrote, locked in one order (a webhook's opt-out waits for the undo, or the undo
    // sees it).
    await tx.execute(sql`
      select count(*) from (
        select c.id from contacts c
         where c.organization_id = ${org}
           and c.id in (select ch.contact_id from contact_import_changes ch where ch.import_id = ${importId} and ch.organization_id = ${org})
         order by c.id for update) as locked`);

    const startedAt = rec.startedAt.toISOString();
    const facts = await tx.execute<FactsRow>(sql`
      select ch.contact_id::text as id, ch.kind,
             ${dataSig("c")} <> ch.data_sig as data_edited,
             ${contactConsentSig("c")} <> ch.consent_sig as consent_edited,
             exists (select 1 from contact_import_changes o join contact_imports i on i.id = o.import_id
                      where o.contact_id = c.id and o.import_id <> ch.import_id and i.undone_at is null
                        and i.started_at > ${startedAt}::timestamptz) as later_import,
             ch.kind = 'updated' and ch.before_name is not null as before_known,
             ch.kind = 'updated' and ${consentSig("ch.before_opt_in_status", "ch.before_opt_in_source", "ch.before_opt_in_at", "ch.before_opted_out_at")} <> ch.consent_sig
               as import_changed_consent,
             ch.kind = 'created' and exists (select 1 from campaign_recipients r where r.contact_id = c.id) as in_campaign,
             ch.kind = 'created' and (c.last_interaction_at is not null
               or exists (select 1 from inbound_messages m where m.contact_id = c.id)) as has_messages,
             -- The import's own consent events carry its clock (contact_imports.started_at) and source import.
             ch.kind = 'created' and exists (select 1 from consent_events e where e.contact_id = c.id
               and not (e.source = 'import' and e.occurred_at = ${startedAt}::timestamptz)) as outside_consent,
             c.opt_in_status as current_status, ch.before_opt_in_status as before_status
        from contact_import_changes ch join contacts c on c.id = ch.contact_id and c.organization_id = ${org}
       where ch.import_id = ${importId} and ch.organization_id = ${org}`);

    const outcome = emptyUndoOutcome();
    const remove: string[] = [];
    const restoreData: string[] = [];
    const restoreConsent: string[] = [];
    for (const row of facts) {
      const f: UndoFacts = {
        kind: row.kind,
        dataEdited: row.data_edited,
        consentEdited: row.consent_edited,
        laterImport: row.later_import,
        beforeKnown: row.before_known,
        importChangedConsent: row.import_changed_consent,
        inCampaign: row.in_campaign,
        hasMessages: row.has_messages,
        outsideConsent: row.outside_consent,
        currentStatus: row.current_status,
        beforeStatus: row.before_status,
      };
      const d = decideUndo(f);
      if (d.kind === "created") {
        if (d.remove) remove.push(row.id);
        else outcome.keptCreated[d.reason]++;
        continue;
      }
      if (d.restoreData) restoreData.push(row.id);
      else outcome.keptUpdated++;
      if (d.consent === "restore") restoreConsent.push(row.id);
      else if (d.consent !== "none") outcome.consent[d.consent]++;
    }

    if (remove.length) {
      // Cascades to their chip registrations and import records; their consent events stay, unlinked (LGPD evidence).
      outcome.removed = await counted(
        tx,
        sql`delete from contacts c where c.organization_id = ${org} and c.id in ${idsParam(remove)} returning 1`,
      );
    }

    if (restoreData.length) {
      // A carteira or etiqueta deleted since is not brought back as a dangling id.
      outcome.restored = await counted(
        tx,
        sql`
        update contacts c set
          name = ch.before_name,
          city = ch.before_city,
          state = ch.before_state,
          wallet_id = (select w.id from wallets w where w.id = ch.before_wallet_id and w.organization_id = ${org}),
          tag_ids = coalesce((select array_agg(t.id order by t.id) from tags t
                               where t.organization_id = ${org} and t.id = any(ch.before_tag_ids)), '{}'::integer[]),
          updated_at = now()
          from contact_import_changes ch
         where ch.import_id = ${importId} and ch.contact_id = c.id and c.organization_id = ${org}
           and c.id in ${idsParam(restoreData)}
        returning 1`,
      );
      if (rec.chipId !== null) {
        // The chip registration the import added, unless the contact has written in on that chip since.
        const untouched = sql`not exists (select 1 from inbound_messages m where m.contact_id = cc.contact_id
          and m.chip_id = cc.chip_id and m.received_at >= ${startedAt}::timestamptz)`;
        await tx.execute(sql`
          delete from contact_chips cc using contact_import_changes ch
           where ch.import_id = ${importId} and ch.contact_id = cc.contact_id and ch.before_chip_registered is null
             and cc.organization_id = ${org} and cc.chip_id = ${rec.chipId} and cc.contact_id in ${idsParam(restoreData)}
             and ${untouched}`);
        await tx.execute(sql`
          update contact_chips cc set registered = false from contact_import_changes ch
           where ch.import_id = ${importId} and ch.contact_id = cc.contact_id and ch.before_chip_registered = false
             and cc.organization_id = ${org} and cc.chip_id = ${rec.chipId} and cc.registered
             and cc.contact_id in ${idsParam(restoreData)} and ${untouched}`);
      }
    }

    if (restoreConsent.length) {
      const text = `Desfeita a importação “${rec.fileName}” de ${formatDateTime(rec.startedAt, actor.timeZone)}: o opt-in voltou ao que era antes dela`;
      const [events] = await tx.execute<{ n: number }>(sql`
        with restored as (
          update contacts c set
            opt_in_status = ch.before_opt_in_status,
            opt_in_source = ch.before_opt_in_source,
            opt_in_at = ch.before_opt_in_at,
            opted_out_at = ch.before_opted_out_at,
            updated_at = now()
            from contact_import_changes ch
           where ch.import_id = ${importId} and ch.contact_id = c.id and c.organization_id = ${org}
             and c.id in ${idsParam(restoreConsent)}
          returning c.id, c.opt_in_status
        ),
        events as (
          insert into consent_events (organization_id, contact_id, status, source, user_id, text_shown, occurred_at)
          select ${org}::uuid, r.id, r.opt_in_status, 'import', ${actor.userId}::uuid, ${text}, ${now.toISOString()}::timestamptz
            from restored r
          returning 1
        )
        select count(*)::int as n from events`);
      outcome.consent.restored = Number(events?.n ?? 0);
    }

    if (rec.createdTagIds.length) {
      // An etiqueta the import created goes when no contact carries it and no list or campaign filter names it.
      const named = (column: string) =>
        sql.raw(`jsonb_path_exists(coalesce(${column}, '{}'::jsonb), '$.tags.*[*] ? (@ == $id)', jsonb_build_object('id', t.id))`);
      const removedTags = await tx.execute<{ name: string }>(sql`
        delete from tags t
         where t.organization_id = ${org} and t.id = any(${`{${rec.createdTagIds.join(",")}}`}::integer[])
           and not exists (select 1 from contacts c where c.organization_id = ${org} and c.tag_ids @> array[t.id])
           and not exists (select 1 from audiences a where a.organization_id = ${org} and ${named("a.filter")})
           and not exists (select 1 from campaigns k where k.organization_id = ${org} and ${named("k.frozen_filter")})
        returning t.name`);
      outcome.tags.removed = removedTags.map((t) => t.name).sort((a, b) => a.localeCompare(b, "pt-BR"));
      const [left] = await tx.execute<{ n: number }>(sql`
        select count(*)::int as n from tags t
         where t.organization_id = ${org} and t.id = any(${`{${rec.createdTagIds.join(",")}}`}::integer[])`);
      outcome.tags.kept = Number(left?.n ?? 0);
    }

    // The earlier values are personal data that only this undo needed.
    await tx.execute(sql`delete from contact_import_changes where import_id = ${importId} and organization_id = ${org}`);
    await tx
      .update(contactImports)
      .set({
        undoneAt: now,
        undoneByUserId: actor.userId,
        undoOutcome: outcome,
        // A run whose process died stays "running" on record: it stopped partway.
        state: rec.state === "running" ? "failed" : rec.state,
        updatedAt: now,
      })
      .where(and(eq(contactImports.organizationId, org), eq(contactImports.id, importId)));
    await audit(tx, {
      organizationId: org,
      userId: actor.userId,
      action: "contacts.import.undo",
      entityType: "contact_import",
      entityId: importId,
      data: { fileName: rec.fileName, ...outcome, tags: { removed: outcome.tags.removed.length, kept: outcome.tags.kept } },
    });
    return { importId, fileName: rec.fileName, undoneAt: now.toISOString(), outcome };
  });
