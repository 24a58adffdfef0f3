ALTER TABLE "contacts" ADD COLUMN "name_fold" text GENERATED ALWAYS AS (disparo_fold(name)) STORED NOT NULL;--> statement-breakpoint
CREATE INDEX "contacts_name_fold_gin_idx" ON "contacts" USING gin ("name_fold" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "contacts_org_name_fold_idx" ON "contacts" USING btree ("organization_id","name_fold","id");--> statement-breakpoint
-- Added by hand: the expression index of migration 0017 is replaced by the one on the stored column.
DROP INDEX IF EXISTS "contacts_name_fold_trgm_idx";
