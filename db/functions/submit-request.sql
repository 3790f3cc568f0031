-- lrs.submit_request: the one live definition. `lrs-relay migrate` applies this file after the numbered
-- migrations, under the same advisory lock, every time it runs (src/db/migrate.ts), and a test checks
-- that the function in the database is this one. Change the function here, not in a new migration; a
-- migration is needed only to change its signature or its grants. Migrations 0001, 0005, 0008 and 0009
-- hold its earlier versions, as history.
--
-- Every argument is checked before it is quoted or looked up; the payload's fields are checked in one
-- query and walked one by one only to name a field that breaks a rule; text refuses control and
-- invisible formatting characters (naming the field); an MIS login may submit only for the
-- organisations it is mapped to (SQLSTATE 42501); the insert runs as the function's owner.
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
SECURITY DEFINER
SET search_path = pg_catalog, lrs, pg_temp
AS $fn$
DECLARE
  -- C0 and C1 controls and DEL, then Unicode's whole Cf category (format characters: the direction
  -- controls, zero-width spaces and joiners, the Arabic letter mark U+061C, the byte order mark, the
  -- interlinear annotation characters U+FFF9 to U+FFFB, tags) and the line and paragraph separators:
  -- each is invisible or reorders what a screen or terminal shows. Notes alone may hold tab and line breaks.
  c_control constant text := '[\u0001-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2028-\u2029\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]';
  c_control_notes constant text := '[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2028-\u2029\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]';
  c_max_keys constant integer := 40;
  c_max_bytes constant integer := 16384;
  c_other_max constant integer := 255;
  c_field_max constant jsonb := '{"notes": 4000}';
  v_org_id integer;
  v_disabled boolean;
  v_disabled_reason text;
  v_required text[];
  v_missing text[] := '{}';
  v_bad text[] := '{}';
  v_field text;
  v_key text;
  v_value jsonb;
  v_text text;
  v_max integer;
  v_pattern text;
  v_count integer;
  v_id bigint;
  v_wrong boolean;
  v_present integer;
  v_scope integer[];
BEGIN
  -- Arguments first, before any of them is quoted in a message or looked up.
  IF p_organisation IS NULL OR pg_catalog.btrim(p_organisation) = '' OR pg_catalog.char_length(p_organisation) > 16
     OR p_organisation ~ c_control THEN
    RAISE EXCEPTION 'lrs.submit_request: organisation must be a UKPRN (8 characters) or organisation reference (6), without control characters'
      USING ERRCODE = '22023', HINT = 'pass the UKPRN or organisation reference of an organisation added with `lrs-relay orgs add`';
  END IF;
  IF p_kind IS NULL OR p_kind NOT IN ('find_by_uln', 'find_by_demographics', 'register', 'update', 'verify', 'learning_events', 'achievement') THEN
    RAISE EXCEPTION 'lrs.submit_request: unknown kind %',
      CASE WHEN p_kind IS NULL THEN 'NULL'
           WHEN pg_catalog.char_length(p_kind) > 32 OR p_kind ~ c_control THEN '(over 32 characters or with control characters)'
           ELSE pg_catalog.quote_literal(p_kind) END
      USING ERRCODE = '22023',
            HINT = 'kind must be one of find_by_uln, find_by_demographics, register, update, verify, learning_events, achievement';
  END IF;
  IF p_mode IS NULL OR p_mode NOT IN ('single', 'batch', 'auto') THEN
    RAISE EXCEPTION 'lrs.submit_request: unknown mode %',
      CASE WHEN p_mode IS NULL THEN 'NULL'
           WHEN pg_catalog.char_length(p_mode) > 32 OR p_mode ~ c_control THEN '(over 32 characters or with control characters)'
           ELSE pg_catalog.quote_literal(p_mode) END
      USING ERRCODE = '22023', HINT = 'mode must be single, batch or auto';
  END IF;
  IF p_mis_learner_id IS NULL OR pg_catalog.btrim(p_mis_learner_id) = '' OR pg_catalog.char_length(p_mis_learner_id) > 128 THEN
    RAISE EXCEPTION 'lrs.submit_request: mis_learner_id must be 1 to 128 characters and not blank'
      USING ERRCODE = '22023', HINT = 'pass the MIS''s own identifier of the learner (the LRS MISIdentifier allows 128 characters)';
  END IF;
  IF p_mis_learner_id ~ c_control THEN
    RAISE EXCEPTION 'lrs.submit_request: mis_learner_id contains control characters or invisible formatting characters (such as tab, ESC, U+200B or U+202E)'
      USING ERRCODE = '22023', HINT = 'remove them from the identifier in the MIS';
  END IF;
  IF p_requested_by IS NULL OR pg_catalog.btrim(p_requested_by) = '' OR pg_catalog.char_length(p_requested_by) > 35 THEN
    RAISE EXCEPTION 'lrs.submit_request: requested_by (the LRS UserName) must be 1 to 35 characters and not blank'
      USING ERRCODE = '22023';
  END IF;
  IF p_requested_by ~ c_control THEN
    RAISE EXCEPTION 'lrs.submit_request: requested_by contains control characters or invisible formatting characters (such as tab, ESC, U+200B or U+202E)'
      USING ERRCODE = '22023', HINT = 'pass the LRS UserName as plain text';
  END IF;
  IF p_dedupe_key IS NOT NULL AND (pg_catalog.btrim(p_dedupe_key) = '' OR pg_catalog.char_length(p_dedupe_key) > 200) THEN
    RAISE EXCEPTION 'lrs.submit_request: dedupe_key must be 1 to 200 characters and not blank (or NULL for none); this one is % characters',
      pg_catalog.char_length(p_dedupe_key)
      USING ERRCODE = '22001', HINT = 'build the key from ids and a hash (md5) of the change, not from the data itself';
  END IF;
  IF p_dedupe_key ~ c_control THEN
    RAISE EXCEPTION 'lrs.submit_request: dedupe_key contains control characters or invisible formatting characters (such as tab, ESC, U+200B or U+202E)'
      USING ERRCODE = '22023';
  END IF;
  IF p_priority IS NULL OR p_priority < 1 OR p_priority > 100 THEN
    RAISE EXCEPTION 'lrs.submit_request: priority must be between 1 (most urgent) and 100'
      USING ERRCODE = '22023';
  END IF;

  IF p_payload IS NULL OR pg_catalog.jsonb_typeof(p_payload) <> 'object' THEN
    RAISE EXCEPTION 'lrs.submit_request: payload must be a JSON object of learner fields'
      USING ERRCODE = '22023';
  END IF;
  IF pg_catalog.octet_length(p_payload::text) > c_max_bytes THEN
    RAISE EXCEPTION 'lrs.submit_request: payload is % bytes; the limit is % bytes', pg_catalog.octet_length(p_payload::text), c_max_bytes
      USING ERRCODE = '54000', HINT = 'send only the LRS fields of one learner';
  END IF;
  -- One pass over the fields (one query, where a loop ran several statements per field) counts them,
  -- says whether any breaks a rule below and counts the required fields present; only when one breaks a
  -- rule does the loop run, to name the field. (The field-name pattern has no counted repetition such as
  -- {0,63}: the regex engine expands it, which made that one match a tenth of the function's cost.)
  v_required := CASE p_kind
    WHEN 'find_by_uln' THEN ARRAY['uln', 'givenName', 'familyName']
    WHEN 'find_by_demographics' THEN ARRAY['givenName', 'familyName', 'dateOfBirth', 'gender', 'lastKnownPostCode']
    WHEN 'register' THEN ARRAY['givenName', 'familyName', 'dateOfBirth', 'gender', 'lastKnownPostCode']
    WHEN 'update' THEN ARRAY['uln', 'givenName', 'familyName', 'dateOfBirth', 'gender', 'lastKnownPostCode']
    WHEN 'verify' THEN ARRAY['uln', 'givenName', 'familyName']
    WHEN 'learning_events' THEN ARRAY['uln', 'givenName', 'familyName']
    WHEN 'achievement' THEN ARRAY['uln', 'givenName', 'familyName', 'unitOrQualificationReferenceNumber', 'achievementAwardDate']
  END;
  SELECT pg_catalog.count(*),
         pg_catalog.bool_or(pg_catalog.char_length(key) > 64 OR key !~ '^[A-Za-z][A-Za-z0-9]*$'
                            OR pg_catalog.jsonb_typeof(value) NOT IN ('string', 'number', 'boolean', 'null')
                            OR pg_catalog.char_length(value #>> '{}') > coalesce((c_field_max ->> key)::integer, c_other_max)
                            OR (value #>> '{}') ~ CASE WHEN key = 'notes' THEN c_control_notes ELSE c_control END),
         pg_catalog.count(*) FILTER (WHERE key = ANY (v_required) AND pg_catalog.jsonb_typeof(value) <> 'null'
                                     AND pg_catalog.btrim(value #>> '{}') <> '')
    INTO v_count, v_wrong, v_present
    FROM pg_catalog.jsonb_each(p_payload);
  IF v_count > c_max_keys THEN
    RAISE EXCEPTION 'lrs.submit_request: payload has % fields; the limit is %', v_count, c_max_keys
      USING ERRCODE = '54000', HINT = 'send only the LRS fields of one learner';
  END IF;

  IF v_wrong THEN
    FOR v_key, v_value IN SELECT key, value FROM pg_catalog.jsonb_each(p_payload) LOOP
      IF pg_catalog.char_length(v_key) > 64 OR v_key !~ '^[A-Za-z][A-Za-z0-9]*$' THEN
        RAISE EXCEPTION 'lrs.submit_request: payload field name % is not a field name',
          CASE WHEN pg_catalog.char_length(v_key) > 64 OR v_key ~ c_control THEN '(over 64 characters or with control characters)'
               ELSE pg_catalog.quote_literal(v_key) END
          USING ERRCODE = '22023', HINT = 'field names are camelCase letters and digits, such as givenName (see README, Submitting work)';
      END IF;
      IF pg_catalog.jsonb_typeof(v_value) NOT IN ('string', 'number', 'boolean', 'null') THEN
        v_bad := v_bad || v_key;
        CONTINUE;
      END IF;
      v_text := v_value #>> '{}';
      v_max := coalesce((c_field_max ->> v_key)::integer, c_other_max);
      IF pg_catalog.char_length(v_text) > v_max THEN
        RAISE EXCEPTION 'lrs.submit_request: payload field % is % characters; the limit is %', v_key, pg_catalog.char_length(v_text), v_max
          USING ERRCODE = '22001',
                HINT = 'this bound keeps oversized input out; values the LRS would refuse (a name over 35 characters, say) are accepted here and end rejected with LOCAL_VALIDATION, where staff see which field to correct';
      END IF;
      v_pattern := CASE WHEN v_key = 'notes' THEN c_control_notes ELSE c_control END;
      IF v_text ~ v_pattern THEN
        RAISE EXCEPTION 'lrs.submit_request: payload field % contains control characters or invisible formatting characters (such as tab, ESC, U+200B or U+202E)', v_key
          USING ERRCODE = '22023', HINT = 'remove them from the value in the MIS; only notes may hold line breaks and tabs';
      END IF;
    END LOOP;
    IF pg_catalog.cardinality(v_bad) > 0 THEN
      RAISE EXCEPTION 'lrs.submit_request: payload fields must be text or numbers, not objects or lists: %', pg_catalog.array_to_string(v_bad, ', ')
        USING ERRCODE = '22023';
    END IF;
  END IF;

  SELECT id, is_disabled, disabled_reason INTO v_org_id, v_disabled, v_disabled_reason FROM lrs.organisation
   WHERE ukprn = p_organisation OR organisation_ref = p_organisation;
  -- An MIS login acts only for the organisations it is mapped to (lrs.mis_scope: NULL for the relay's
  -- owner, superusers and lrs_support). Checked before the organisation is said to be unknown or
  -- disabled, so a login learns nothing about organisations that are not its own.
  v_scope := lrs.mis_scope();
  IF v_scope IS NOT NULL AND (v_org_id IS NULL OR NOT v_org_id = ANY (v_scope)) THEN
    RAISE EXCEPTION 'lrs.submit_request: the database login % may not submit work for organisation %',
      pg_catalog.quote_ident(session_user::text),
      pg_catalog.quote_literal(p_organisation)
        || CASE WHEN pg_catalog.cardinality(v_scope) = 0 THEN ' (it is mapped to no organisation)' ELSE '' END
      USING ERRCODE = '42501',
            HINT = 'the relay''s operator maps a login to an organisation with `lrs-relay mis-login grant <login> --org <UKPRN or reference>`';
  END IF;
  IF v_org_id IS NULL THEN
    RAISE EXCEPTION 'lrs.submit_request: unknown organisation %', pg_catalog.quote_literal(p_organisation)
      USING ERRCODE = '22023', HINT = 'pass the UKPRN or organisation reference of an organisation added with `lrs-relay orgs add`';
  END IF;
  IF v_disabled THEN
    RAISE EXCEPTION 'lrs.submit_request: organisation % is disabled: %', p_organisation, coalesce(v_disabled_reason, 'no reason given')
      USING ERRCODE = '55000', HINT = 'enable it with `lrs-relay orgs update` before submitting new work';
  END IF;

  IF v_present < pg_catalog.cardinality(v_required) THEN
    FOREACH v_field IN ARRAY v_required LOOP
      IF NOT (p_payload ? v_field) OR pg_catalog.jsonb_typeof(p_payload -> v_field) = 'null'
         OR pg_catalog.btrim(p_payload ->> v_field) = '' THEN
        v_missing := v_missing || v_field;
      END IF;
    END LOOP;
    IF pg_catalog.cardinality(v_missing) > 0 THEN
      RAISE EXCEPTION 'lrs.submit_request: % request is missing required field(s): %', p_kind, pg_catalog.array_to_string(v_missing, ', ')
        USING ERRCODE = '23502', HINT = 'required for ' || p_kind || ': ' || pg_catalog.array_to_string(v_required, ', ');
    END IF;
  END IF;

  -- Without a dedupe key there is nothing to conflict with, and a plain insert skips the speculative
  -- insertion ON CONFLICT makes.
  IF p_dedupe_key IS NULL THEN
    INSERT INTO lrs.request (organisation_id, requested_by, kind, mode, priority, mis_learner_id, payload)
    VALUES (v_org_id, p_requested_by, p_kind, p_mode, p_priority, p_mis_learner_id, p_payload)
    RETURNING id INTO v_id;
  ELSE
    INSERT INTO lrs.request (organisation_id, requested_by, kind, mode, priority, mis_learner_id, payload, dedupe_key)
    VALUES (v_org_id, p_requested_by, p_kind, p_mode, p_priority, p_mis_learner_id, p_payload, p_dedupe_key)
    ON CONFLICT (organisation_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
      SELECT id INTO v_id FROM lrs.request WHERE organisation_id = v_org_id AND dedupe_key = p_dedupe_key;
      RETURN v_id;
    END IF;
  END IF;

  -- Wakes the outbox relays. One payload for every call, so Postgres sends one notification per
  -- transaction however many rows it submits (an import of 1,000 learners: one, not 1,000); the relay
  -- claims whatever is pending, and never read the id this used to carry.
  PERFORM pg_catalog.pg_notify('lrs_request', 'submit');
  RETURN v_id;
END
$fn$;

COMMENT ON FUNCTION lrs.submit_request(text, text, text, jsonb, text, text, text, integer) IS
  'Queue LRS work for a learner: (organisation UKPRN or ref, kind, MIS learner id, payload jsonb, UserName, mode single|batch|auto, dedupe key, priority 1 = most urgent). Returns the request id. Runs as its owner; grant lrs_mis to call it, and map the login to its organisations with lrs-relay mis-login grant. Limits: docs/security.md and README.';
