CREATE TABLE "lrs"."exception_span" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"request_id" bigint NOT NULL,
	"organisation_id" integer NOT NULL,
	"status" text NOT NULL,
	"code" text,
	"opened_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "exception_span_open_idx" ON "lrs"."exception_span" USING btree ("request_id") WHERE closed_at is null;--> statement-breakpoint
CREATE INDEX "exception_span_closed_idx" ON "lrs"."exception_span" USING btree ("closed_at") WHERE closed_at is not null;--> statement-breakpoint
-- Hand-written below. Every change of a request's status passes through lrs.request, wherever in the code
-- it is made, so the periods are written here: a period opens when a request becomes an exception (needs
-- action, rejected, failed) and closes when it stops being one; a change of status or code between two
-- exception states closes one and opens the next. An inserted row keeps the time it says it finished (a
-- request can be submitted already rejected); a change is dated now(). Rows that are not exceptions
-- before or after never call the function (the triggers' WHEN).
CREATE FUNCTION lrs.record_exception_span() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status IN ('needs_action', 'rejected', 'failed') THEN
    UPDATE lrs.exception_span SET closed_at = now() WHERE request_id = OLD.id AND closed_at IS NULL;
  END IF;
  IF NEW.status IN ('needs_action', 'rejected', 'failed') THEN
    INSERT INTO lrs.exception_span (request_id, organisation_id, status, code, opened_at)
    VALUES (NEW.id, NEW.organisation_id, NEW.status, NEW.last_code,
            CASE WHEN TG_OP = 'INSERT' THEN coalesce(NEW.completed_at, NEW.updated_at, now()) ELSE now() END);
  END IF;
  RETURN NULL;
END
$fn$;
--> statement-breakpoint
CREATE TRIGGER request_exception_span_insert AFTER INSERT ON lrs.request FOR EACH ROW
  WHEN (NEW.status IN ('needs_action', 'rejected', 'failed'))
  EXECUTE FUNCTION lrs.record_exception_span();
--> statement-breakpoint
CREATE TRIGGER request_exception_span_update AFTER UPDATE OF status, last_code ON lrs.request FOR EACH ROW
  WHEN ((OLD.status IS DISTINCT FROM NEW.status OR OLD.last_code IS DISTINCT FROM NEW.last_code)
        AND (OLD.status IN ('needs_action', 'rejected', 'failed') OR NEW.status IN ('needs_action', 'rejected', 'failed')))
  EXECUTE FUNCTION lrs.record_exception_span();
--> statement-breakpoint
-- The exceptions open when this migration runs, from when each opened as far as the request says (what the
-- chart counted before); the periods of exceptions closed before it are not known.
INSERT INTO lrs.exception_span (request_id, organisation_id, status, code, opened_at)
SELECT id, organisation_id, status, last_code, coalesce(completed_at, updated_at)
  FROM lrs.request WHERE status IN ('needs_action', 'rejected', 'failed');
--> statement-breakpoint
-- Support staff's actions write periods through the trigger (default privileges grant that); removing
-- them is the retention purge's, not theirs.
REVOKE DELETE, TRUNCATE ON lrs.exception_span FROM lrs_support;
