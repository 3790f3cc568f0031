ALTER TABLE "lrs"."learning_event" ADD COLUMN "purged_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "lrs"."request" ADD COLUMN "purged_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "learning_event_purge_idx" ON "lrs"."learning_event" USING btree ("created_at") WHERE purged_at is null;--> statement-breakpoint
CREATE INDEX "request_purge_idx" ON "lrs"."request" USING btree ("completed_at") WHERE purged_at is null and completed_at is not null;--> statement-breakpoint
ALTER TABLE "lrs"."request" ADD CONSTRAINT "request_purged_finished" CHECK ("lrs"."request"."purged_at" is null or status in ('succeeded', 'needs_action', 'rejected', 'failed', 'cancelled'));--> statement-breakpoint

-- Hand-written below this line (drizzle-kit does not model triggers).
-- NOTIFY lrs_outcome (payload: the request id) each time a request reaches a terminal status, so an
-- MIS can LISTEN and react at once instead of polling lrs.learner_status. A trigger, not code: it
-- covers every path that finishes a request (workers, batch fan-out, support actions, reconcile),
-- including ones added later. Delivered at commit, and only if the transaction commits.
CREATE OR REPLACE FUNCTION lrs.notify_outcome() RETURNS trigger
LANGUAGE plpgsql
AS $fn$
BEGIN
  PERFORM pg_notify('lrs_outcome', NEW.id::text);
  RETURN NULL;
END
$fn$;
--> statement-breakpoint

CREATE TRIGGER request_notify_outcome
  AFTER UPDATE OF status ON lrs.request
  FOR EACH ROW
  WHEN (NEW.status IN ('succeeded', 'needs_action', 'rejected', 'failed', 'cancelled')
        AND OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION lrs.notify_outcome();
--> statement-breakpoint

CREATE TRIGGER request_notify_outcome_insert
  AFTER INSERT ON lrs.request
  FOR EACH ROW
  WHEN (NEW.status IN ('succeeded', 'needs_action', 'rejected', 'failed', 'cancelled'))
  EXECUTE FUNCTION lrs.notify_outcome();
