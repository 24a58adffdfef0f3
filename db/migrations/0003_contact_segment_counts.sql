CREATE TABLE "contact_segment_counts" (
	"organization_id" uuid NOT NULL,
	"opt_in_status" "opt_in_status" NOT NULL,
	"wallet_id" integer,
	"state" char(2),
	"n" bigint NOT NULL,
	CONSTRAINT "contact_segment_counts_bucket" UNIQUE NULLS NOT DISTINCT("organization_id","opt_in_status","wallet_id","state")
);
--> statement-breakpoint
ALTER TABLE "contact_segment_counts" ADD CONSTRAINT "contact_segment_counts_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Added by hand (drizzle-kit does not model triggers or data): statement-level triggers keep the buckets exact,
-- one set-based upsert per statement, keys in a fixed order (no deadlocks between two writers); an update that
-- leaves a contact in its bucket (last interaction, name, etiquetas…) writes nothing here.
CREATE FUNCTION "contacts_count_buckets_apply"(deltas jsonb) RETURNS void LANGUAGE sql AS $$
  INSERT INTO contact_segment_counts AS s (organization_id, opt_in_status, wallet_id, state, n)
  SELECT d.organization_id, d.opt_in_status, d.wallet_id, d.state, d.n
    FROM jsonb_to_recordset(deltas) AS d(organization_id uuid, opt_in_status opt_in_status, wallet_id int, state char(2), n bigint)
   -- An organization deleted in this statement takes its buckets with it.
   WHERE EXISTS (SELECT 1 FROM organizations o WHERE o.id = d.organization_id)
   ORDER BY 1, 2, 3, 4
  ON CONFLICT ON CONSTRAINT contact_segment_counts_bucket DO UPDATE SET n = s.n + excluded.n
$$;--> statement-breakpoint
CREATE FUNCTION "contacts_count_buckets"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  deltas jsonb;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM contact_segment_counts;
    RETURN NULL;
  ELSIF TG_OP = 'INSERT' THEN
    IF NOT EXISTS (SELECT 1 FROM new_rows) THEN RETURN NULL; END IF;
    SELECT jsonb_agg(x) INTO deltas FROM (
      SELECT organization_id, opt_in_status, wallet_id, state, count(*) AS n FROM new_rows GROUP BY 1, 2, 3, 4) x;
  ELSIF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT 1 FROM old_rows) THEN RETURN NULL; END IF;
    SELECT jsonb_agg(x) INTO deltas FROM (
      SELECT organization_id, opt_in_status, wallet_id, state, -count(*) AS n FROM old_rows GROUP BY 1, 2, 3, 4) x;
  ELSE
    SELECT jsonb_agg(x) INTO deltas FROM (
      SELECT organization_id, opt_in_status, wallet_id, state, sum(d) AS n
        FROM (SELECT organization_id, opt_in_status, wallet_id, state, 1 AS d FROM new_rows
              UNION ALL
              SELECT organization_id, opt_in_status, wallet_id, state, -1 FROM old_rows) u
       GROUP BY 1, 2, 3, 4 HAVING sum(d) <> 0) x;
  END IF;
  IF deltas IS NOT NULL THEN
    PERFORM contacts_count_buckets_apply(deltas);
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "contacts_count_insert" AFTER INSERT ON "contacts"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "contacts_count_buckets"();--> statement-breakpoint
CREATE TRIGGER "contacts_count_update" AFTER UPDATE ON "contacts"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "contacts_count_buckets"();--> statement-breakpoint
CREATE TRIGGER "contacts_count_delete" AFTER DELETE ON "contacts"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "contacts_count_buckets"();--> statement-breakpoint
CREATE TRIGGER "contacts_count_truncate" AFTER TRUNCATE ON "contacts"
  FOR EACH STATEMENT EXECUTE FUNCTION "contacts_count_buckets"();--> statement-breakpoint
INSERT INTO "contact_segment_counts" (organization_id, opt_in_status, wallet_id, state, n)
SELECT organization_id, opt_in_status, wallet_id, state, count(*) FROM contacts GROUP BY 1, 2, 3, 4;
