CREATE TABLE "contact_city_counts" (
	"organization_id" uuid NOT NULL,
	"state" char(2) NOT NULL,
	"city" text NOT NULL,
	"n" bigint NOT NULL,
	CONSTRAINT "contact_city_counts_organization_id_state_city_pk" PRIMARY KEY("organization_id","state","city")
);
--> statement-breakpoint
ALTER TABLE "contact_city_counts" ADD CONSTRAINT "contact_city_counts_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Added by hand (drizzle-kit does not model functions, triggers or data): the city/UF pairs kept exact by
-- statement triggers on contacts, in the same transactions as the contacts, like contact_segment_counts.
CREATE FUNCTION "contacts_city_counts_apply"(deltas jsonb) RETURNS void LANGUAGE sql AS $$
  INSERT INTO contact_city_counts AS s (organization_id, state, city, n)
  SELECT d.organization_id, d.state, d.city, d.n
    FROM jsonb_to_recordset(deltas) AS d(organization_id uuid, state char(2), city text, n bigint)
   -- An organization deleted in this statement takes its pairs with it.
   WHERE EXISTS (SELECT 1 FROM organizations o WHERE o.id = d.organization_id)
   -- One order for every writer, so two imports touching the same cities queue instead of deadlocking.
   ORDER BY 1, 2, 3
  ON CONFLICT (organization_id, state, city) DO UPDATE SET n = s.n + excluded.n
$$;--> statement-breakpoint
CREATE FUNCTION "contacts_city_counts"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  deltas jsonb;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM contact_city_counts;
    RETURN NULL;
  ELSIF TG_OP = 'INSERT' THEN
    SELECT jsonb_agg(x) INTO deltas FROM (
      SELECT organization_id, state, city, count(*) AS n FROM new_rows
       WHERE city IS NOT NULL AND state IS NOT NULL GROUP BY 1, 2, 3) x;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT jsonb_agg(x) INTO deltas FROM (
      SELECT organization_id, state, city, -count(*) AS n FROM old_rows
       WHERE city IS NOT NULL AND state IS NOT NULL GROUP BY 1, 2, 3) x;
  ELSE
    -- An update that leaves every contact in its city (a name, an etiqueta, a last interaction) writes nothing.
    SELECT jsonb_agg(x) INTO deltas FROM (
      SELECT organization_id, state, city, sum(d) AS n
        FROM (SELECT organization_id, state, city, 1 AS d FROM new_rows
              UNION ALL
              SELECT organization_id, state, city, -1 FROM old_rows) u
       WHERE city IS NOT NULL AND state IS NOT NULL
       GROUP BY 1, 2, 3 HAVING sum(d) <> 0) x;
  END IF;
  IF deltas IS NOT NULL THEN
    PERFORM contacts_city_counts_apply(deltas);
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "contacts_city_count_insert" AFTER INSERT ON "contacts"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "contacts_city_counts"();--> statement-breakpoint
CREATE TRIGGER "contacts_city_count_update" AFTER UPDATE ON "contacts"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "contacts_city_counts"();--> statement-breakpoint
CREATE TRIGGER "contacts_city_count_delete" AFTER DELETE ON "contacts"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "contacts_city_counts"();--> statement-breakpoint
CREATE TRIGGER "contacts_city_count_truncate" AFTER TRUNCATE ON "contacts"
  FOR EACH STATEMENT EXECUTE FUNCTION "contacts_city_counts"();--> statement-breakpoint
INSERT INTO "contact_city_counts" (organization_id, state, city, n)
SELECT organization_id, state, city, count(*) FROM contacts
 WHERE city IS NOT NULL AND state IS NOT NULL GROUP BY 1, 2, 3;
--> statement-breakpoint
-- Added by hand: accent- and case-blind contact search served by trigram indexes. disparo_fold is the one folding
-- rule (lib/segments/queries.ts foldSql calls it): accents translated before lower(), which only folds ASCII under
-- the C collation. pg_trgm ships with PostgreSQL and is a trusted extension: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE FUNCTION "disparo_fold"(value text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT lower(translate(value, 'ÁÀÂÃÄÅáàâãäåÉÈÊËéèêëÍÌÎÏíìîïÓÒÔÕÖóòôõöÚÙÛÜúùûüÇçÑñ', 'AAAAAAaaaaaaEEEEeeeeIIIIiiiiOOOOOoooooUUUUuuuuCcNn'))
$$;--> statement-breakpoint
CREATE INDEX "contacts_name_fold_trgm_idx" ON "contacts" USING gin (disparo_fold("name") gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "contacts_phone_trgm_idx" ON "contacts" USING gin ("phone" gin_trgm_ops);
