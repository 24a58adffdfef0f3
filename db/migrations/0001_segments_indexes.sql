CREATE INDEX "contact_chips_registered_idx" ON "contact_chips" USING btree ("chip_id","contact_id") WHERE "contact_chips"."registered";--> statement-breakpoint
CREATE INDEX "contacts_segment_count_idx" ON "contacts" USING btree ("organization_id","opt_in_status","wallet_id","state");--> statement-breakpoint
CREATE INDEX "contacts_segment_cover_idx" ON "contacts" USING btree ("organization_id","opt_in_status","wallet_id","state","city","created_at","last_interaction_at","tag_ids","id") WITH (deduplicate_items=false);--> statement-breakpoint
CREATE INDEX "contacts_org_name_idx" ON "contacts" USING btree ("organization_id","name","id");--> statement-breakpoint
-- Added by hand (drizzle-kit does not model storage parameters): segment counts are index-only scans, which
-- need an up-to-date visibility map, so vacuum contacts after ~1 % of its rows change or arrive (default 20 %).
ALTER TABLE "contacts" SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02);
