ALTER TABLE "campaign_recipients" DROP CONSTRAINT "campaign_recipients_organization_id_organizations_id_fk";
--> statement-breakpoint
ALTER TABLE "campaign_recipients" DROP CONSTRAINT "campaign_recipients_chip_id_chips_id_fk";
