CREATE SCHEMA "lrs";
--> statement-breakpoint
CREATE TABLE "lrs"."acquisition_run" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"organisation_id" integer,
	"run_key" text NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"learners_found" integer DEFAULT 0 NOT NULL,
	"requests_created" integer DEFAULT 0 NOT NULL,
	"requests_completed" integer DEFAULT 0 NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "acquisition_run_run_key_unique" UNIQUE("run_key")
);
--> statement-breakpoint
CREATE TABLE "lrs"."audit" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"organisation_id" integer NOT NULL,
	"request_id" bigint,
	"batch_id" bigint,
	"user_name" text NOT NULL,
	"operation" text NOT NULL,
	"code" text NOT NULL,
	"code_source" text NOT NULL,
	"http_status" integer,
	"duration_ms" integer NOT NULL,
	"attempt" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lrs"."batch" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"organisation_id" integer NOT NULL,
	"kind" text NOT NULL,
	"job_type" text,
	"status" text DEFAULT 'assembled' NOT NULL,
	"requested_by" text NOT NULL,
	"lrs_job_id" text,
	"record_count" integer NOT NULL,
	"polls" integer DEFAULT 0 NOT NULL,
	"next_poll_at" timestamp with time zone,
	"last_code" text,
	"last_error" text,
	"counters" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"submitted_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "batch_kind" CHECK (kind in ('registration', 'verify', 'achievement')),
	CONSTRAINT "batch_status" CHECK (status in ('assembled', 'submitting', 'submitted', 'fetching', 'completed', 'failed', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE "lrs"."learning_event" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"request_id" bigint NOT NULL,
	"organisation_id" integer NOT NULL,
	"mis_learner_id" text NOT NULL,
	"uln" text NOT NULL,
	"event_id" integer,
	"source" text,
	"subject_code" text,
	"subject" text,
	"qualification_type" text,
	"level" text,
	"grade" text,
	"credits" integer,
	"achievement_award_date" text,
	"awarding_organisation_name" text,
	"achievement_provider_ukprn" text,
	"status" text,
	"event" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lrs"."organisation" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"ukprn" text,
	"organisation_ref" text,
	"vendor_id" integer DEFAULT 0 NOT NULL,
	"password_ref" jsonb NOT NULL,
	"certificate_ref" jsonb,
	"certificate_not_after" timestamp with time zone,
	"default_user_name" text NOT NULL,
	"concurrency_share" integer DEFAULT 8 NOT NULL,
	"rate_limit_per_second" integer,
	"is_disabled" boolean DEFAULT false NOT NULL,
	"disabled_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organisation_one_identifier" CHECK (("lrs"."organisation"."ukprn" is null) <> ("lrs"."organisation"."organisation_ref" is null)),
	CONSTRAINT "organisation_ukprn_format" CHECK ("lrs"."organisation"."ukprn" is null or "lrs"."organisation"."ukprn" ~ '^[0-9A-Za-z]{8}$'),
	CONSTRAINT "organisation_ref_format" CHECK ("lrs"."organisation"."organisation_ref" is null or "lrs"."organisation"."organisation_ref" ~ '^[0-9A-Za-z]{6}$'),
	CONSTRAINT "organisation_user_name" CHECK (char_length("lrs"."organisation"."default_user_name") between 1 and 35)
);
--> statement-breakpoint
CREATE TABLE "lrs"."outcome" (
	"request_id" bigint PRIMARY KEY NOT NULL,
	"organisation_id" integer NOT NULL,
	"code" text NOT NULL,
	"code_source" text NOT NULL,
	"class" text NOT NULL,
	"uln" text,
	"master_uln" text,
	"linked_ulns" text[],
	"candidates" jsonb,
	"learner" jsonb,
	"failure_flags" text[],
	"description" text,
	"problems" jsonb,
	"detail" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "outcome_code_source" CHECK ("lrs"."outcome"."code_source" in ('lrs', 'relay'))
);
--> statement-breakpoint
CREATE TABLE "lrs"."request" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"organisation_id" integer NOT NULL,
	"requested_by" text NOT NULL,
	"kind" text NOT NULL,
	"mode" text DEFAULT 'single' NOT NULL,
	"priority" integer DEFAULT 1 NOT NULL,
	"mis_learner_id" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_code" text,
	"last_error" text,
	"batch_id" bigint,
	"dedupe_key" text,
	"register_in_doubt" boolean DEFAULT false NOT NULL,
	"staff_note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"queued_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"not_before" timestamp with time zone,
	CONSTRAINT "request_kind" CHECK (kind in ('find_by_uln', 'find_by_demographics', 'register', 'update', 'verify', 'learning_events', 'achievement')),
	CONSTRAINT "request_mode" CHECK (mode in ('single', 'batch', 'auto')),
	CONSTRAINT "request_status" CHECK (status in ('pending', 'queued', 'in_progress', 'batched', 'held', 'succeeded', 'needs_action', 'rejected', 'failed', 'cancelled')),
	CONSTRAINT "request_requested_by" CHECK (char_length("lrs"."request"."requested_by") between 1 and 35)
);
--> statement-breakpoint
CREATE TABLE "lrs"."response_code" (
	"code" text PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"class" text NOT NULL,
	"meaning" text NOT NULL,
	"retry" text NOT NULL,
	"resolution" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lrs"."staff_organisation" (
	"staff_user_id" integer NOT NULL,
	"organisation_id" integer NOT NULL,
	CONSTRAINT "staff_organisation_staff_user_id_organisation_id_pk" PRIMARY KEY("staff_user_id","organisation_id")
);
--> statement-breakpoint
CREATE TABLE "lrs"."staff_session" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"staff_user_id" integer NOT NULL,
	"csrf_token" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lrs"."staff_user" (
	"id" serial PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"password_hash" text NOT NULL,
	"is_admin" boolean DEFAULT false NOT NULL,
	"failed_logins" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "staff_user_username_unique" UNIQUE("username")
);
--> statement-breakpoint
ALTER TABLE "lrs"."acquisition_run" ADD CONSTRAINT "acquisition_run_organisation_id_organisation_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "lrs"."organisation"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lrs"."audit" ADD CONSTRAINT "audit_organisation_id_organisation_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "lrs"."organisation"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lrs"."batch" ADD CONSTRAINT "batch_organisation_id_organisation_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "lrs"."organisation"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lrs"."learning_event" ADD CONSTRAINT "learning_event_request_id_request_id_fk" FOREIGN KEY ("request_id") REFERENCES "lrs"."request"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lrs"."learning_event" ADD CONSTRAINT "learning_event_organisation_id_organisation_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "lrs"."organisation"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lrs"."outcome" ADD CONSTRAINT "outcome_request_id_request_id_fk" FOREIGN KEY ("request_id") REFERENCES "lrs"."request"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lrs"."outcome" ADD CONSTRAINT "outcome_organisation_id_organisation_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "lrs"."organisation"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lrs"."request" ADD CONSTRAINT "request_organisation_id_organisation_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "lrs"."organisation"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lrs"."request" ADD CONSTRAINT "request_batch_id_batch_id_fk" FOREIGN KEY ("batch_id") REFERENCES "lrs"."batch"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lrs"."staff_organisation" ADD CONSTRAINT "staff_organisation_staff_user_id_staff_user_id_fk" FOREIGN KEY ("staff_user_id") REFERENCES "lrs"."staff_user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lrs"."staff_organisation" ADD CONSTRAINT "staff_organisation_organisation_id_organisation_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "lrs"."organisation"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lrs"."staff_session" ADD CONSTRAINT "staff_session_staff_user_id_staff_user_id_fk" FOREIGN KEY ("staff_user_id") REFERENCES "lrs"."staff_user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_request_idx" ON "lrs"."audit" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "audit_batch_idx" ON "lrs"."audit" USING btree ("batch_id");--> statement-breakpoint
CREATE INDEX "audit_org_time_idx" ON "lrs"."audit" USING btree ("organisation_id","created_at");--> statement-breakpoint
CREATE INDEX "batch_status_idx" ON "lrs"."batch" USING btree ("status","organisation_id");--> statement-breakpoint
CREATE INDEX "learning_event_learner_idx" ON "lrs"."learning_event" USING btree ("organisation_id","mis_learner_id");--> statement-breakpoint
CREATE INDEX "learning_event_request_idx" ON "lrs"."learning_event" USING btree ("request_id");--> statement-breakpoint
CREATE UNIQUE INDEX "organisation_ukprn_key" ON "lrs"."organisation" USING btree ("ukprn");--> statement-breakpoint
CREATE UNIQUE INDEX "organisation_ref_key" ON "lrs"."organisation" USING btree ("organisation_ref");--> statement-breakpoint
CREATE INDEX "outcome_uln_idx" ON "lrs"."outcome" USING btree ("uln");--> statement-breakpoint
CREATE UNIQUE INDEX "request_dedupe_key" ON "lrs"."request" USING btree ("organisation_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "request_open_idx" ON "lrs"."request" USING btree ("status","organisation_id","kind","id") WHERE status in ('pending', 'queued', 'in_progress', 'batched', 'held');--> statement-breakpoint
CREATE INDEX "request_learner_idx" ON "lrs"."request" USING btree ("organisation_id","mis_learner_id","id");--> statement-breakpoint
CREATE INDEX "request_batch_idx" ON "lrs"."request" USING btree ("batch_id");--> statement-breakpoint
CREATE INDEX "request_status_code_idx" ON "lrs"."request" USING btree ("status","last_code");