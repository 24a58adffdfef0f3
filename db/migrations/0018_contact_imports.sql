CREATE TYPE "public"."contact_import_change_kind" AS ENUM('created', 'updated');--> statement-breakpoint
CREATE TYPE "public"."contact_import_state" AS ENUM('running', 'done', 'failed');--> statement-breakpoint
CREATE TABLE "contact_import_changes" (
	"import_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"contact_id" bigint NOT NULL,
	"kind" "contact_import_change_kind" NOT NULL,
	"data_sig" bigint NOT NULL,
	"consent_sig" bigint NOT NULL,
	"before_name" text,
	"before_city" text,
	"before_state" char(2),
	"before_wallet_id" integer,
	"before_tag_ids" integer[],
	"before_opt_in_status" "opt_in_status",
	"before_opt_in_source" "opt_in_source",
	"before_opt_in_at" timestamp with time zone,
	"before_opted_out_at" timestamp with time zone,
	"before_chip_registered" boolean,
	CONSTRAINT "contact_import_changes_import_id_contact_id_pk" PRIMARY KEY("import_id","contact_id")
);
--> statement-breakpoint
CREATE TABLE "contact_imports" (
	"id" uuid PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL,
	"file_name" text NOT NULL,
	"user_id" uuid,
	"chip_id" integer,
	"state" "contact_import_state" DEFAULT 'running' NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"total_rows" integer DEFAULT 0 NOT NULL,
	"created" integer DEFAULT 0 NOT NULL,
	"updated" integer DEFAULT 0 NOT NULL,
	"skipped" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"created_tag_ids" integer[] DEFAULT '{}'::integer[] NOT NULL,
	"undone_at" timestamp with time zone,
	"undone_by_user_id" uuid,
	"undo_outcome" jsonb
);
--> statement-breakpoint
ALTER TABLE "contact_import_changes" ADD CONSTRAINT "contact_import_changes_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_imports" ADD CONSTRAINT "contact_imports_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_imports" ADD CONSTRAINT "contact_imports_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_imports" ADD CONSTRAINT "contact_imports_chip_id_chips_id_fk" FOREIGN KEY ("chip_id") REFERENCES "public"."chips"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_imports" ADD CONSTRAINT "contact_imports_undone_by_user_id_users_id_fk" FOREIGN KEY ("undone_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "contact_import_changes_contact_idx" ON "contact_import_changes" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "contact_imports_org_started_idx" ON "contact_imports" USING btree ("organization_id","started_at");