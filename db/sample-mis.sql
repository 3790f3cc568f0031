-- A sample MIS schema (`mis`): a students table with the MIS's own column names, the trigger that
-- turns its changes into LRS work through lrs.submit_request, and the view the nightly ULN
-- acquisition reads. Idempotent: safe to run again. The demo creates it; MIS teams can copy it.
--
-- The relay never writes to mis.*: the MIS reads outcomes (ULNs, codes, what to do) from
-- lrs.learner_status, keyed by (UKPRN, student_id). It needs no right on any lrs table: its login
-- role is granted lrs_mis (`GRANT lrs_mis TO mis_app;`, docs/security.md "Database roles").
-- lrs-relay sends NOTIFY lrs_outcome (payload: the request id) each time a request finishes; the MIS's
-- own listener then calls mis.take_ulns_from_lrs() below, which writes the ULNs the LRS found back into
-- mis.students.

CREATE SCHEMA IF NOT EXISTS mis;

CREATE TABLE IF NOT EXISTS mis.students (
  student_id            text PRIMARY KEY,
  -- The provider the student is enrolled with (an installation may serve several colleges).
  ukprn                 text NOT NULL,
  forename              text,
  middle_names          text,
  surname               text,
  birth_date            date,
  sex                   char(1) CHECK (sex IN ('M', 'F', 'U', 'X')),
  postcode              text,
  email                 text,
  uln                   text,
  -- How identity was checked at enrolment (LRS VerificationType 0–7, 999 = other).
  id_check              smallint NOT NULL DEFAULT 0,
  -- The student has seen the privacy notice and agreed to share their record (LRS AbilityToShare).
  privacy_notice_seen   boolean NOT NULL DEFAULT true,
  updated_by            text NOT NULL DEFAULT current_user,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);

-- NULL for blank text: a blank name is a missing name, not a name to send.
CREATE OR REPLACE FUNCTION mis.nonblank(v text) RETURNS text
LANGUAGE sql IMMUTABLE
AS $fn$ SELECT CASE WHEN btrim(v) = '' THEN NULL ELSE v END $fn$;

-- The LRS fields of one student, in the camelCase names lrs.submit_request expects.
-- Sex letters become LRS gender codes (M→1, F→2, U→0 not known, X→9 not specified); dates yyyy-MM-dd.
CREATE OR REPLACE FUNCTION mis.student_lrs_fields(s mis.students) RETURNS jsonb
LANGUAGE sql IMMUTABLE
AS $fn$
  SELECT jsonb_strip_nulls(jsonb_build_object(
    'uln', mis.nonblank(btrim(s.uln)),
    'givenName', mis.nonblank(s.forename),
    'middleOtherName', mis.nonblank(s.middle_names),
    'familyName', mis.nonblank(s.surname),
    'dateOfBirth', to_char(s.birth_date, 'YYYY-MM-DD'),
    'gender', CASE s.sex WHEN 'M' THEN '1' WHEN 'F' THEN '2' WHEN 'U' THEN '0' WHEN 'X' THEN '9' END,
    'lastKnownPostCode', mis.nonblank(s.postcode),
    'emailAddress', mis.nonblank(s.email),
    'verificationType', s.id_check::text,
    'abilityToShare', CASE WHEN s.privacy_notice_seen THEN '1' ELSE '0' END
  ))
$fn$;

-- On insert without a ULN: register (searches first, so an existing learner gets their ULN back).
-- On insert with a ULN, or when a ULN is entered later: verify it against the names and birth date.
-- On a change of names, birth date, sex or postcode: update the LRS record (with a ULN), or register
-- again (without one; e.g. after the first attempt was rejected for bad data).
-- A student missing a required field is not submitted yet: the relay could do nothing with it, and
-- refusing the MIS's own insert would block enrolment. The update that completes the record submits it.
CREATE OR REPLACE FUNCTION mis.students_to_lrs() RETURNS trigger
LANGUAGE plpgsql
AS $fn$
DECLARE
  v_fields jsonb := mis.student_lrs_fields(NEW);
  v_has_uln boolean := NEW.uln IS NOT NULL AND btrim(NEW.uln) <> '';
  v_user text := left(coalesce(nullif(btrim(NEW.updated_by), ''), 'mis-trigger'), 35);
  v_kind text;
  v_mode text := 'auto';
  v_required text[];
BEGIN
  -- A ULN the LRS itself just gave (mis.take_ulns_from_lrs) needs no verify: queue nothing.
  IF current_setting('mis.uln_from_lrs', true) = 'on' THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'INSERT' THEN
    v_kind := CASE WHEN v_has_uln THEN 'verify' ELSE 'register' END;
  ELSIF v_has_uln AND NEW.uln IS DISTINCT FROM OLD.uln THEN
    v_kind := 'verify';
  ELSIF (NEW.forename, NEW.middle_names, NEW.surname, NEW.birth_date, NEW.sex, NEW.postcode)
        IS DISTINCT FROM (OLD.forename, OLD.middle_names, OLD.surname, OLD.birth_date, OLD.sex, OLD.postcode) THEN
    v_kind := CASE WHEN v_has_uln THEN 'update' ELSE 'register' END;
  ELSE
    RETURN NEW;
  END IF;

  IF v_kind = 'update' THEN
    v_mode := 'single';  -- the LRS has no batch update
  END IF;
  v_required := CASE v_kind
    WHEN 'verify' THEN ARRAY['uln', 'givenName', 'familyName']
    ELSE ARRAY['givenName', 'familyName', 'dateOfBirth', 'gender', 'lastKnownPostCode']
  END;
  IF NOT (v_fields ?& v_required) THEN
    RETURN NEW;
  END IF;

  -- The dedupe key names the change (before and after), so one change delivered twice is queued once,
  -- while changing a field and later changing it back queues both.
  PERFORM lrs.submit_request(
    NEW.ukprn, v_kind, NEW.student_id,
    CASE WHEN v_kind = 'register' THEN v_fields - 'uln' ELSE v_fields END,
    v_user, v_mode,
    'mis.students:' || NEW.student_id || ':' || v_kind || ':'
      || md5(CASE WHEN TG_OP = 'UPDATE' THEN mis.student_lrs_fields(OLD)::text ELSE '' END || '>' || v_fields::text),
    1);
  RETURN NEW;
END
$fn$;

DROP TRIGGER IF EXISTS students_to_lrs ON mis.students;
CREATE TRIGGER students_to_lrs
  AFTER INSERT OR UPDATE ON mis.students
  FOR EACH ROW EXECUTE FUNCTION mis.students_to_lrs();

-- Students the nightly ULN acquisition should find ULNs for: no ULN in the MIS, none found by the
-- relay yet, no request still open, and every field a register search needs. Columns: organisation
-- (UKPRN), mis_learner_id, then the LRS register fields in camelCase.
CREATE OR REPLACE VIEW mis.learners_needing_uln AS
SELECT
  s.ukprn AS organisation,
  s.student_id AS mis_learner_id,
  f ->> 'givenName' AS "givenName",
  f ->> 'middleOtherName' AS "middleOtherName",
  f ->> 'familyName' AS "familyName",
  f ->> 'dateOfBirth' AS "dateOfBirth",
  f ->> 'gender' AS "gender",
  f ->> 'lastKnownPostCode' AS "lastKnownPostCode",
  f ->> 'emailAddress' AS "emailAddress",
  f ->> 'verificationType' AS "verificationType",
  f ->> 'abilityToShare' AS "abilityToShare"
FROM mis.students s
CROSS JOIN LATERAL mis.student_lrs_fields(s) AS f
WHERE (s.uln IS NULL OR btrim(s.uln) = '')
  AND f ?& ARRAY['givenName', 'familyName', 'dateOfBirth', 'gender', 'lastKnownPostCode']
  AND NOT EXISTS (
    SELECT 1
      FROM lrs.learner_status ls
     WHERE (ls.ukprn = s.ukprn OR ls.organisation_ref = s.ukprn)
       AND ls.mis_learner_id = s.student_id
       AND (ls.uln IS NOT NULL OR ls.status IN ('pending', 'queued', 'in_progress', 'batched', 'held'))
  );

-- Closing the loop: copies into mis.students the ULN of every student whose latest LRS request
-- succeeded with one (register, find or verify; the master ULN when the LRS says the learner's record
-- is linked to another) and whose MIS ULN differs. The students_to_lrs trigger queues no verify for
-- this change (the ULN came from the LRS). Returns how many students were updated.
-- Call it when NOTIFY lrs_outcome arrives (coalesce a burst of notifications into one call) and once
-- when the listener starts, since notifications sent while nobody listened are not kept. Set-based
-- over lrs.learner_status, so it also catches ULNs from the nightly acquisition.
CREATE OR REPLACE FUNCTION mis.take_ulns_from_lrs() RETURNS integer
LANGUAGE plpgsql
AS $fn$
DECLARE
  v_updated integer;
BEGIN
  PERFORM set_config('mis.uln_from_lrs', 'on', true);
  UPDATE mis.students s
     SET uln = coalesce(ls.master_uln, ls.request_uln), updated_at = now()
    FROM lrs.learner_status ls
   WHERE (ls.ukprn = s.ukprn OR ls.organisation_ref = s.ukprn)
     AND ls.mis_learner_id = s.student_id
     AND ls.status = 'succeeded'
     AND ls.request_uln IS NOT NULL
     AND s.uln IS DISTINCT FROM coalesce(ls.master_uln, ls.request_uln);
  GET DIAGNOSTICS v_updated = ROW_COUNT;
  -- Back to normal for the rest of the caller's transaction: later MIS changes are queued as usual.
  PERFORM set_config('mis.uln_from_lrs', 'off', true);
  RETURN v_updated;
END
$fn$;
