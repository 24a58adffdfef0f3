DROP INDEX "campaign_recipients_campaign_status_idx";--> statement-breakpoint
-- Added by hand (drizzle-kit does not model storage parameters): leave a fifth of each page free, so the status
-- updates of a recipient (pending → sending → sent → delivered → read) stay on its page as HOT updates.
-- Applies to pages written from now on; existing rows move as they are updated.
ALTER TABLE "campaign_recipients" SET (fillfactor = 80);
