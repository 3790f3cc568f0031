CREATE TABLE "lrs"."register_lock" (
	"identity_key" text PRIMARY KEY NOT NULL,
	"request_id" bigint NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
