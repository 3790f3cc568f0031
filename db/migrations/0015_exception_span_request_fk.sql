-- A request's exception periods go with it (deleted, or the table truncated and its ids started again).
-- Periods of requests that no longer exist are dropped first, so the constraint can be checked.
DELETE FROM "lrs"."exception_span" s WHERE NOT EXISTS (SELECT 1 FROM "lrs"."request" r WHERE r.id = s.request_id);--> statement-breakpoint
ALTER TABLE "lrs"."exception_span" ADD CONSTRAINT "exception_span_request_id_request_id_fk" FOREIGN KEY ("request_id") REFERENCES "lrs"."request"("id") ON DELETE cascade ON UPDATE no action;
