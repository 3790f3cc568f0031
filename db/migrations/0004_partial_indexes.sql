DROP INDEX "lrs"."request_status_code_idx";--> statement-breakpoint
DROP INDEX "lrs"."audit_batch_idx";--> statement-breakpoint
DROP INDEX "lrs"."request_batch_idx";--> statement-breakpoint
CREATE INDEX "request_problem_idx" ON "lrs"."request" USING btree ("status","last_code") WHERE status in ('needs_action', 'rejected', 'failed');--> statement-breakpoint
CREATE INDEX "audit_batch_idx" ON "lrs"."audit" USING btree ("batch_id") WHERE batch_id is not null;--> statement-breakpoint
CREATE INDEX "request_batch_idx" ON "lrs"."request" USING btree ("batch_id") WHERE batch_id is not null;