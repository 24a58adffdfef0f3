ALTER TYPE "public"."campaign_status" ADD VALUE 'awaiting_confirmation' BEFORE 'scheduled';--> statement-breakpoint
ALTER TYPE "public"."skip_reason" ADD VALUE 'missing_variable';--> statement-breakpoint
ALTER TYPE "public"."skip_reason" ADD VALUE 'frequency_cap';--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "frequency_cap_messages" integer;--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "frequency_cap_days" integer;--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "messaging_limit_tier" text DEFAULT 'TIER_2K' NOT NULL;--> statement-breakpoint
ALTER TABLE "templates" ADD COLUMN "is_opt_in_request" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "audiences" ADD COLUMN "saved_count" integer;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "header_media_url" text;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "frozen_filter" jsonb;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "frozen_audience_name" text;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "frozen_template" jsonb;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "estimate" jsonb;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "submitted_by_user_id" uuid;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "submitted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_submitted_by_user_id_users_id_fk" FOREIGN KEY ("submitted_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "contacts_org_suspect_idx" ON "contacts" USING btree ("organization_id","id") WHERE "contacts"."phone" !~ '^[+]55[1-9][1-9]9[0-9]{8}$' or btrim("contacts"."name") = '';