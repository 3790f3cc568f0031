CREATE TABLE "lrs"."process" (
	"id" text PRIMARY KEY NOT NULL,
	"roles" text[] NOT NULL,
	"host" text NOT NULL,
	"pid" integer NOT NULL,
	"version" text NOT NULL,
	"health_url" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"stopped_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "process_last_seen_idx" ON "lrs"."process" USING btree ("last_seen_at");