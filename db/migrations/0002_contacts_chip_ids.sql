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
-- Every write to contact_chips, whatever its origin (import, webhook, seed, a manual fix), keeps chip_ids right,
-- touching only contacts whose array really changes. Inserts and deletes: one set-based UPDATE per statement
-- (imports and cascades write many rows). Updates: per row, and only when the registration itself changes, so the
-- webhook's "seen again on this chip" upsert (last_seen_at only) costs nothing here.
CREATE FUNCTION "contacts_sync_chip_ids"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NOT EXISTS (SELECT 1 FROM new_rows WHERE registered) THEN RETURN NULL; END IF;
    UPDATE contacts c SET chip_ids = contact_chip_ids(c.id)
     WHERE c.id IN (SELECT DISTINCT contact_id FROM new_rows WHERE registered)
       AND c.chip_ids IS DISTINCT FROM contact_chip_ids(c.id);
  ELSIF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT 1 FROM old_rows WHERE registered) THEN RETURN NULL; END IF;
    UPDATE contacts c SET chip_ids = contact_chip_ids(c.id)
     WHERE c.id IN (SELECT DISTINCT contact_id FROM old_rows WHERE registered)
       AND c.chip_ids IS DISTINCT FROM contact_chip_ids(c.id);
  ELSE
    UPDATE contacts c SET chip_ids = contact_chip_ids(c.id)
     WHERE c.id IN (OLD.contact_id, NEW.contact_id) AND c.chip_ids IS DISTINCT FROM contact_chip_ids(c.id);
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "contact_chips_sync_insert" AFTER INSERT ON "contact_chips"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "contacts_sync_chip_ids"();--> statement-breakpoint
CREATE TRIGGER "contact_chips_sync_update" AFTER UPDATE ON "contact_chips" FOR EACH ROW
  WHEN (OLD.registered IS DISTINCT FROM NEW.registered OR OLD.contact_id <> NEW.contact_id OR OLD.chip_id <> NEW.chip_id)
  EXECUTE FUNCTION "contacts_sync_chip_ids"();--> statement-breakpoint
CREATE TRIGGER "contact_chips_sync_delete" AFTER DELETE ON "contact_chips"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "contacts_sync_chip_ids"();--> statement-breakpoint
CREATE INDEX "contacts_segment_cover_idx" ON "contacts" USING btree ("organization_id","opt_in_status","wallet_id","state","city","created_at","last_interaction_at","tag_ids","chip_ids","id") WITH (deduplicate_items=false);
