DROP INDEX "contacts_segment_cover_idx";--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "chip_ids" integer[] DEFAULT '{}'::integer[] NOT NULL;--> statement-breakpoint
-- Added by hand (drizzle-kit does not model data or triggers): contacts.chip_ids mirrors the chips a contact is
-- registered on (contact_chips.registered), sorted, so the segment filter "registrado no chip" is an array
-- test on the covering index instead of a semi-join per candidate contact (docs/benchmarks.md, "Segmentação").
CREATE FUNCTION "contact_chip_ids"(contact bigint) RETURNS integer[] LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(cc.chip_id ORDER BY cc.chip_id), '{}'::integer[])
    FROM contact_chips cc WHERE cc.contact_id = contact AND cc.registered
$$;--> statement-breakpoint
UPDATE "contacts" c SET "chip_ids" = x.ids
  FROM (SELECT contact_id, array_agg(chip_id ORDER BY chip_id) AS ids FROM contact_chips WHERE registered GROUP BY contact_id) x
 WHERE c.id = x.contact_id;--> statement-breakpoint
-- Every write to contact_chips, whatever its origin (import, webhook, seed, a manual fix), keeps chip_ids right:
-- one set-based UPDATE per statement, touching only contacts whose array really changes.
CREATE FUNCTION "contacts_sync_chip_ids"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE contacts c SET chip_ids = contact_chip_ids(c.id)
     WHERE c.id IN (SELECT DISTINCT contact_id FROM new_rows) AND c.chip_ids IS DISTINCT FROM contact_chip_ids(c.id);
  ELSIF TG_OP = 'UPDATE' THEN
    UPDATE contacts c SET chip_ids = contact_chip_ids(c.id)
     WHERE c.id IN (SELECT contact_id FROM new_rows UNION SELECT contact_id FROM old_rows)
       AND c.chip_ids IS DISTINCT FROM contact_chip_ids(c.id);
  ELSE
    UPDATE contacts c SET chip_ids = contact_chip_ids(c.id)
     WHERE c.id IN (SELECT DISTINCT contact_id FROM old_rows) AND c.chip_ids IS DISTINCT FROM contact_chip_ids(c.id);
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "contact_chips_sync_insert" AFTER INSERT ON "contact_chips"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "contacts_sync_chip_ids"();--> statement-breakpoint
CREATE TRIGGER "contact_chips_sync_update" AFTER UPDATE ON "contact_chips"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "contacts_sync_chip_ids"();--> statement-breakpoint
CREATE TRIGGER "contact_chips_sync_delete" AFTER DELETE ON "contact_chips"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "contacts_sync_chip_ids"();--> statement-breakpoint
CREATE INDEX "contacts_segment_cover_idx" ON "contacts" USING btree ("organization_id","opt_in_status","wallet_id","state","city","created_at","last_interaction_at","tag_ids","chip_ids","id") WITH (deduplicate_items=false);
