CREATE TYPE "public"."flow_start_status" AS ENUM('pending', 'entry_sending', 'handoff', 'done', 'failed');--> statement-breakpoint
CREATE TABLE "flow_starts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "flow_starts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"organization_id" uuid NOT NULL,
	"campaign_recipient_id" bigint NOT NULL,
	"flow_id" integer NOT NULL,
	"chip_id" integer NOT NULL,
	"contact_id" bigint,
	"inbound_message_id" bigint,
	"status" "flow_start_status" DEFAULT 'pending' NOT NULL,
	"entry_result" text,
	"entry_wamid" text,
	"handoff_attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_until" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "flow_starts" ADD CONSTRAINT "flow_starts_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_starts" ADD CONSTRAINT "flow_starts_campaign_recipient_id_campaign_recipients_id_fk" FOREIGN KEY ("campaign_recipient_id") REFERENCES "public"."campaign_recipients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_starts" ADD CONSTRAINT "flow_starts_flow_id_chatbot_flows_id_fk" FOREIGN KEY ("flow_id") REFERENCES "public"."chatbot_flows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_starts" ADD CONSTRAINT "flow_starts_chip_id_chips_id_fk" FOREIGN KEY ("chip_id") REFERENCES "public"."chips"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_starts" ADD CONSTRAINT "flow_starts_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_starts" ADD CONSTRAINT "flow_starts_inbound_message_id_inbound_messages_id_fk" FOREIGN KEY ("inbound_message_id") REFERENCES "public"."inbound_messages"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "flow_starts_recipient_unique" ON "flow_starts" USING btree ("campaign_recipient_id");--> statement-breakpoint
CREATE INDEX "flow_starts_due_idx" ON "flow_starts" USING btree ("next_attempt_at") WHERE "flow_starts"."status" in ('pending', 'entry_sending', 'handoff');