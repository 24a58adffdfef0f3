-- Added by hand (drizzle-kit does not model functions, triggers or data): the signature behind contacts.tag_sig,
-- one bit (id % 64) per etiqueta. IMMUTABLE, so a stored generated column may use it; plpgsql's simple
-- expressions keep it at a few microseconds per row.
CREATE FUNCTION "contact_tag_signature"(tag_ids integer[]) RETURNS bigint LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  s bigint := 0;
  t integer;
BEGIN
  IF tag_ids IS NULL THEN RETURN 0; END IF;
  FOREACH t IN ARRAY tag_ids LOOP
    IF t IS NOT NULL THEN s := s | (1::bigint << (t % 64)); END IF;
  END LOOP;
  RETURN s;
END
$$;--> statement-breakpoint
ALTER TABLE "contact_segment_counts" DROP CONSTRAINT "contact_segment_counts_bucket";--> statement-breakpoint
DROP INDEX "contacts_segment_cover_idx";--> statement-breakpoint
ALTER TABLE "contact_segment_counts" ADD COLUMN "tag_id" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "contact_segment_counts" ADD COLUMN "chip_id" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "tag_sig" bigint GENERATED ALWAYS AS (contact_tag_signature(tag_ids)) STORED NOT NULL;--> statement-breakpoint
CREATE INDEX "contacts_segment_cover_idx" ON "contacts" USING btree ("organization_id","opt_in_status","wallet_id","state","city","created_at","last_interaction_at","tag_sig","tag_ids","chip_ids","id") WITH (deduplicate_items=false);--> statement-breakpoint
ALTER TABLE "contact_segment_counts" ADD CONSTRAINT "contact_segment_counts_bucket" UNIQUE NULLS NOT DISTINCT("organization_id","tag_id","chip_id","opt_in_status","wallet_id","state");--> statement-breakpoint
-- Added by hand: the buckets now also count, per (opt-in, carteira, UF), the contacts carrying each etiqueta
-- (tag_id) and registered on each chip (chip_id); tag_id = 0 and chip_id = 0 is every contact, as before.
-- The facets of one contact: its bucket in all, once per distinct etiqueta, once per distinct chip.
CREATE FUNCTION "contact_count_facets"(tag_ids integer[], chip_ids integer[])
  RETURNS TABLE(tag_id integer, chip_id integer) LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 0, 0
  UNION ALL SELECT DISTINCT t, 0 FROM unnest(tag_ids) t WHERE t IS NOT NULL
  UNION ALL SELECT DISTINCT 0, c FROM unnest(chip_ids) c WHERE c IS NOT NULL
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "contacts_count_buckets_apply"(deltas jsonb) RETURNS void LANGUAGE sql AS $$
  INSERT INTO contact_segment_counts AS s (organization_id, tag_id, chip_id, opt_in_status, wallet_id, state, n)
  SELECT d.organization_id, d.tag_id, d.chip_id, d.opt_in_status, d.wallet_id, d.state, d.n
    FROM jsonb_to_recordset(deltas)
      AS d(organization_id uuid, tag_id int, chip_id int, opt_in_status opt_in_status, wallet_id int, state char(2), n bigint)
   -- An organization deleted in this statement takes its buckets with it.
   WHERE EXISTS (SELECT 1 FROM organizations o WHERE o.id = d.organization_id)
   ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT ON CONSTRAINT contact_segment_counts_bucket DO UPDATE SET n = s.n + excluded.n
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "contacts_count_buckets"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  deltas jsonb;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM contact_segment_counts;
    RETURN NULL;
  ELSIF TG_OP = 'INSERT' THEN
    IF NOT EXISTS (SELECT 1 FROM new_rows) THEN RETURN NULL; END IF;
    SELECT jsonb_agg(x) INTO deltas FROM (
      SELECT r.organization_id, f.tag_id, f.chip_id, r.opt_in_status, r.wallet_id, r.state, count(*) AS n
        FROM new_rows r CROSS JOIN LATERAL contact_count_facets(r.tag_ids, r.chip_ids) f
       GROUP BY 1, 2, 3, 4, 5, 6) x;
  ELSIF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT 1 FROM old_rows) THEN RETURN NULL; END IF;
    SELECT jsonb_agg(x) INTO deltas FROM (
      SELECT r.organization_id, f.tag_id, f.chip_id, r.opt_in_status, r.wallet_id, r.state, -count(*) AS n
        FROM old_rows r CROSS JOIN LATERAL contact_count_facets(r.tag_ids, r.chip_ids) f
       GROUP BY 1, 2, 3, 4, 5, 6) x;
  ELSE
    -- An update that leaves every facet of its contacts where it was (last interaction, name…) writes nothing.
    SELECT jsonb_agg(x) INTO deltas FROM (
      SELECT u.organization_id, f.tag_id, f.chip_id, u.opt_in_status, u.wallet_id, u.state, sum(u.d) AS n
        FROM (SELECT organization_id, opt_in_status, wallet_id, state, tag_ids, chip_ids, 1 AS d FROM new_rows
              UNION ALL
              SELECT organization_id, opt_in_status, wallet_id, state, tag_ids, chip_ids, -1 FROM old_rows) u
        CROSS JOIN LATERAL contact_count_facets(u.tag_ids, u.chip_ids) f
       GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(u.d) <> 0) x;
  END IF;
  IF deltas IS NOT NULL THEN
    PERFORM contacts_count_buckets_apply(deltas);
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
INSERT INTO "contact_segment_counts" (organization_id, tag_id, chip_id, opt_in_status, wallet_id, state, n)
SELECT c.organization_id, f.tag_id, f.chip_id, c.opt_in_status, c.wallet_id, c.state, count(*)
  FROM contacts c CROSS JOIN LATERAL contact_count_facets(c.tag_ids, c.chip_ids) f
 WHERE f.tag_id <> 0 OR f.chip_id <> 0
 GROUP BY 1, 2, 3, 4, 5, 6;
