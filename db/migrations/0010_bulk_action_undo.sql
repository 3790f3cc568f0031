CREATE TABLE "lrs"."bulk_action" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_name" text NOT NULL,
	"operation" text NOT NULL,
	"request_ids" bigint[] NOT NULL,
	"previous_statuses" text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"undone_at" timestamp with time zone,
	CONSTRAINT "bulk_action_operation" CHECK (operation = any ('{cancel}'::text[])),
	CONSTRAINT "bulk_action_lengths" CHECK (cardinality("lrs"."bulk_action"."request_ids") = cardinality("lrs"."bulk_action"."previous_statuses"))
);
--> statement-breakpoint
-- Support staff write and undo their own bulk actions (default privileges grant the rest); the record of
-- what was done is not theirs to remove.
REVOKE DELETE, TRUNCATE ON "lrs"."bulk_action" FROM lrs_support;
