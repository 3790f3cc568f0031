-- SQL the MIS calls from its triggers, and the view it reads. Hand-written (drizzle-kit --custom).

-- lrs.submit_request: the one entry point for MIS triggers. Validates the basics, inserts one
-- lrs.request row and notifies the relay (channel lrs_request, payload = request id). It inserts
-- exactly one row or raises; a repeated dedupe key returns the existing request's id.
CREATE OR REPLACE FUNCTION lrs.submit_request(
  p_organisation text,
  p_kind text,
  p_mis_learner_id text,
  p_payload jsonb,
  p_requested_by text,
  p_mode text DEFAULT 'single',
  p_dedupe_key text DEFAULT NULL,
  p_priority integer DEFAULT 1
) RETURNS bigint
LANGUAGE plpgsql
AS $fn$
DECLARE
  v_org lrs.organisation%ROWTYPE;
  v_required text[];
  v_missing text[] := '{}';
  v_bad text[] := '{}';
  v_field text;
  v_key text;
  v_value jsonb;
  v_id bigint;
BEGIN
  IF p_kind IS NULL OR p_kind NOT IN ('find_by_uln', 'find_by_demographics', 'register', 'update', 'verify', 'learning_events', 'achievement') THEN
    RAISE EXCEPTION 'lrs.submit_request: unknown kind %', coalesce(quote_literal(p_kind), 'NULL')
      USING ERRCODE = '22023',
            HINT = 'kind must be one of find_by_uln, find_by_demographics, register, update, verify, learning_events, achievement';
  END IF;
  IF p_mode IS NULL OR p_mode NOT IN ('single', 'batch', 'auto') THEN
    RAISE EXCEPTION 'lrs.submit_request: unknown mode %', coalesce(quote_literal(p_mode), 'NULL')
      USING ERRCODE = '22023', HINT = 'mode must be single, batch or auto';
  END IF;

  SELECT * INTO v_org FROM lrs.organisation
   WHERE ukprn = p_organisation OR organisation_ref = p_organisation;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'lrs.submit_request: unknown organisation %', coalesce(quote_literal(p_organisation), 'NULL')
      USING ERRCODE = '22023', HINT = 'pass the UKPRN or organisation reference of an organisation added with `lrs-relay orgs add`';
  END IF;
  IF v_org.is_disabled THEN
    RAISE EXCEPTION 'lrs.submit_request: organisation % is disabled: %', p_organisation, coalesce(v_org.disabled_reason, 'no reason given')
      USING ERRCODE = '55000', HINT = 'enable it with `lrs-relay orgs update` before submitting new work';
  END IF;

  IF p_mis_learner_id IS NULL OR btrim(p_mis_learner_id) = '' OR char_length(p_mis_learner_id) > 128 THEN
    RAISE EXCEPTION 'lrs.submit_request: mis_learner_id must be 1 to 128 characters'
      USING ERRCODE = '22023';
  END IF;
  IF p_requested_by IS NULL OR btrim(p_requested_by) = '' OR char_length(p_requested_by) > 35 THEN
    RAISE EXCEPTION 'lrs.submit_request: requested_by (the LRS UserName) must be 1 to 35 characters and not blank'
      USING ERRCODE = '22023';
  END IF;
  IF p_priority IS NULL OR p_priority < 1 OR p_priority > 100 THEN
    RAISE EXCEPTION 'lrs.submit_request: priority must be between 1 (most urgent) and 100'
      USING ERRCODE = '22023';
  END IF;
  IF p_payload IS NULL OR jsonb_typeof(p_payload) <> 'object' THEN
    RAISE EXCEPTION 'lrs.submit_request: payload must be a JSON object of learner fields'
      USING ERRCODE = '22023';
  END IF;

  -- Field values are scalars; nested objects or arrays are never LRS fields.
  FOR v_key, v_value IN SELECT key, value FROM jsonb_each(p_payload) LOOP
    IF jsonb_typeof(v_value) NOT IN ('string', 'number', 'boolean', 'null') THEN
      v_bad := v_bad || v_key;
    END IF;
  END LOOP;
  IF cardinality(v_bad) > 0 THEN
    RAISE EXCEPTION 'lrs.submit_request: payload fields must be text or numbers, not objects or lists: %', array_to_string(v_bad, ', ')
      USING ERRCODE = '22023';
  END IF;

  v_required := CASE p_kind
    WHEN 'find_by_uln' THEN ARRAY['uln', 'givenName', 'familyName']
    WHEN 'find_by_demographics' THEN ARRAY['givenName', 'familyName', 'dateOfBirth', 'gender', 'lastKnownPostCode']
    WHEN 'register' THEN ARRAY['givenName', 'familyName', 'dateOfBirth', 'gender', 'lastKnownPostCode']
    WHEN 'update' THEN ARRAY['uln', 'givenName', 'familyName', 'dateOfBirth', 'gender', 'lastKnownPostCode']
    WHEN 'verify' THEN ARRAY['uln', 'givenName', 'familyName']
    WHEN 'learning_events' THEN ARRAY['uln', 'givenName', 'familyName']
    WHEN 'achievement' THEN ARRAY['uln', 'givenName', 'familyName', 'unitOrQualificationReferenceNumber', 'achievementAwardDate']
  END;
  FOREACH v_field IN ARRAY v_required LOOP
    IF NOT (p_payload ? v_field) OR jsonb_typeof(p_payload -> v_field) = 'null'
       OR btrim(p_payload ->> v_field) = '' THEN
      v_missing := v_missing || v_field;
    END IF;
  END LOOP;
  IF cardinality(v_missing) > 0 THEN
    RAISE EXCEPTION 'lrs.submit_request: % request is missing required field(s): %', p_kind, array_to_string(v_missing, ', ')
      USING ERRCODE = '23502', HINT = 'required for ' || p_kind || ': ' || array_to_string(v_required, ', ');
  END IF;

  INSERT INTO lrs.request (organisation_id, requested_by, kind, mode, priority, mis_learner_id, payload, dedupe_key)
  VALUES (v_org.id, p_requested_by, p_kind, p_mode, p_priority, p_mis_learner_id, p_payload, p_dedupe_key)
  ON CONFLICT (organisation_id, dedupe_key) DO NOTHING
  RETURNING id INTO v_id;

  IF v_id IS NULL THEN
    SELECT id INTO v_id FROM lrs.request WHERE organisation_id = v_org.id AND dedupe_key = p_dedupe_key;
    RETURN v_id;
  END IF;

  PERFORM pg_notify('lrs_request', v_id::text);
  RETURN v_id;
END
$fn$;
--> statement-breakpoint

COMMENT ON FUNCTION lrs.submit_request(text, text, text, jsonb, text, text, text, integer) IS
  'Queue LRS work for a learner: (organisation UKPRN or ref, kind, MIS learner id, payload jsonb, UserName, mode single|batch|auto, dedupe key, priority 1 = most urgent). Returns the request id.';
--> statement-breakpoint

-- What the MIS reads: the latest request per (organisation, MIS learner id), its outcome and what
-- to do about it, plus the most recent ULN the LRS confirmed or issued for that learner.
CREATE OR REPLACE VIEW lrs.learner_status AS
SELECT DISTINCT ON (r.organisation_id, r.mis_learner_id)
  r.organisation_id,
  o.ukprn,
  o.organisation_ref,
  r.mis_learner_id,
  r.id AS request_id,
  r.kind,
  r.status,
  r.last_code AS code,
  rc.class AS code_class,
  rc.meaning AS code_meaning,
  rc.resolution,
  oc.uln AS request_uln,
  oc.master_uln,
  (SELECT coalesce(oc2.master_uln, oc2.uln)
     FROM lrs.request r2
     JOIN lrs.outcome oc2 ON oc2.request_id = r2.id
    WHERE r2.organisation_id = r.organisation_id
      AND r2.mis_learner_id = r.mis_learner_id
      AND oc2.uln IS NOT NULL
      AND oc2.class = 'success'
    ORDER BY r2.id DESC
    LIMIT 1) AS uln,
  r.created_at,
  r.updated_at,
  r.completed_at
FROM lrs.request r
JOIN lrs.organisation o ON o.id = r.organisation_id
LEFT JOIN lrs.outcome oc ON oc.request_id = r.id
LEFT JOIN lrs.response_code rc ON rc.code = r.last_code
ORDER BY r.organisation_id, r.mis_learner_id, r.id DESC;
