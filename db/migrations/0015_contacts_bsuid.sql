ALTER TABLE "contacts" ALTER COLUMN "phone" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "bsuid" text;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "username" text;--> statement-breakpoint
CREATE UNIQUE INDEX "contacts_org_bsuid_unique" ON "contacts" USING btree ("organization_id","bsuid") WHERE "contacts"."bsuid" is not null;--> statement-breakpoint
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_phone_or_bsuid" CHECK ("contacts"."phone" is not null or "contacts"."bsuid" is not null);