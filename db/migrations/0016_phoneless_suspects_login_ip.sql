DROP INDEX "contacts_org_suspect_idx";--> statement-breakpoint
CREATE INDEX "login_attempts_ip_time_idx" ON "login_attempts" USING btree ("ip","created_at");--> statement-breakpoint
CREATE INDEX "contacts_org_suspect_idx" ON "contacts" USING btree ("organization_id","id") WHERE "contacts"."phone" is null or "contacts"."phone" !~ '^[+]55[1-9][1-9]9[0-9]{8}$' or btrim("contacts"."name") = '';