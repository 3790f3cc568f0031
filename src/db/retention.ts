/**
 * SQL for retention and learners' rights (UK GDPR): the scheduled purge of personal data past
 * retention, and the reads and writes behind `lrs-relay learner export|erase`.
 *
 * Personal data held by lrs-relay, and what happens to it:
 * - lrs.request: payload (names, date of birth, postcode, e-mail), last_error (may echo LRS text),
 *   staff_note (free text), dedupe_key (derived from the MIS's fields) → cleared by purge and erase.
 *   mis_learner_id (the MIS's own key) → kept by purge, replaced by a random token by erase.
 * - lrs.outcome: candidates (other people's LRS records), learner, description, problems, detail →
 *   cleared by purge and erase; uln, master_uln, linked_ulns → kept by purge (lrs.learner_status
 *   gives the MIS its learners' ULNs, an identifier the MIS already holds), cleared by erase. An erased
 *   learner listed as a possible-match candidate in another request's outcome (same organisation,
 *   found by their ULNs) is replaced there by {"erased": true}.
 * - lrs.learning_event: the learner's achievements → details cleared by purge; rows deleted by erase.
 * - lrs.audit: ids, operation, code, timings and the staff/MIS user name; no learner data → kept.
 * - lrs.register_lock: a hash of demographics, short-lived → deleted by erase.
 * - lrs.batch: last_error (the LRS's text about a whole batch, which may quote any of its learners) →
 *   cleared by purge once the batch has been finished for the request retention period. Nothing else
 *   in it is about a learner (batch files are built from request payloads when sent).
 * - lrs.exception_span: when each request was an exception (ids, status, code, times; no learner
 *   data) → periods closed more than the request retention period ago are deleted by purge.
 */
import type pg from 'pg';
import { FINISHED_BATCH_STATUSES, OPEN_STATUSES, TERMINAL_STATUSES } from '../../db/schema.ts';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/**
 * Statuses that count as open work for an erasure: still being worked, or waiting for a person
 * (needs_action: erasing it would leave staff unable to resolve it; cancel it first).
 */
export const OPEN_LEARNER_STATUSES = [...OPEN_STATUSES, 'needs_action'] as const;

const CLEAR_OUTCOME = `candidates = null, learner = null, description = null, problems = null, detail = null`;
const CLEAR_EVENT = `subject_code = null, subject = null, qualification_type = null, level = null,
  grade = null, credits = null, achievement_award_date = null, awarding_organisation_name = null,
  achievement_provider_ukprn = null, status = null, event = '{}'::jsonb, purged_at = now()`;

/**
 * Clears the personal data of up to `limit` requests that finished more than `olderThanDays` ago
 * (oldest first), with their outcomes' details and learning events. One short transaction; rows
 * another transaction holds are skipped (next run). Returns how many requests were purged.
 */
export async function purgeFinishedRequests(
  db: Queryable,
  o: { olderThanDays: number; limit: number },
): Promise<number> {
  const r = await db.query(
    `with target as (
       select id from lrs.request
        where purged_at is null and completed_at is not null
          and completed_at < now() - make_interval(days => $1::int)
          and status = any($3::text[])
        order by completed_at
        limit $2
        for update skip locked
     ), outcomes as (
       update lrs.outcome set ${CLEAR_OUTCOME} where request_id in (select id from target)
     ), events as (
       update lrs.learning_event set ${CLEAR_EVENT}
        where request_id in (select id from target) and purged_at is null
     )
     update lrs.request r
        set payload = '{}'::jsonb, last_error = null, staff_note = null, dedupe_key = null, purged_at = now()
       from target where r.id = target.id`,
    [o.olderThanDays, o.limit, TERMINAL_STATUSES],
  );
  return r.rowCount ?? 0;
}

/** Clears the details of up to `limit` learning events fetched more than `olderThanDays` ago. Returns the count. */
export async function purgeLearningEvents(
  db: Queryable,
  o: { olderThanDays: number; limit: number },
): Promise<number> {
  const r = await db.query(
    `with target as (
       select id from lrs.learning_event
        where purged_at is null and created_at < now() - make_interval(days => $1::int)
        order by created_at
        limit $2
        for update skip locked
     )
     update lrs.learning_event e set ${CLEAR_EVENT} from target where e.id = target.id`,
    [o.olderThanDays, o.limit],
  );
  return r.rowCount ?? 0;
}

/**
 * Clears the LRS's error text of up to `limit` batches finished more than `olderThanDays` ago. Returns
 * the count.
 */
export async function purgeBatchErrors(
  db: Queryable,
  o: { olderThanDays: number; limit: number },
): Promise<number> {
  const r = await db.query(
    `with target as (
       select id from lrs.batch
        where last_error is not null and status = any($3::text[])
          and coalesce(completed_at, updated_at) < now() - make_interval(days => $1::int)
        limit $2
        for update skip locked
     )
     update lrs.batch b set last_error = null from target where b.id = target.id`,
    [o.olderThanDays, o.limit, FINISHED_BATCH_STATUSES],
  );
  return r.rowCount ?? 0;
}

/**
 * Deletes up to `limit` exception periods (lrs.exception_span) closed more than `olderThanDays` ago:
 * the history behind "open exceptions over time" goes with the requests it describes. No personal data
 * is in them; they are deleted so the table stays as small as the range the charts can show. Returns the count.
 */
export async function purgeExceptionSpans(
  db: Queryable,
  o: { olderThanDays: number; limit: number },
): Promise<number> {
  const r = await db.query(
    `delete from lrs.exception_span where id in (
       select id from lrs.exception_span
        where closed_at < now() - make_interval(days => $1::int)
        limit $2
        for update skip locked)`,
    [o.olderThanDays, o.limit],
  );
  return r.rowCount ?? 0;
}

export interface LearnerRequestRow {
  id: number;
  status: string;
}

/** Locks and returns (id, status) of every request of one learner, for an erasure's transaction. */
export async function lockLearnerRequests(
  db: Queryable,
  organisationId: number,
  misLearnerId: string,
): Promise<LearnerRequestRow[]> {
  const r = await db.query<LearnerRequestRow>(
    `select id, status from lrs.request
      where organisation_id = $1 and mis_learner_id = $2
      order by id
      for update`,
    [organisationId, misLearnerId],
  );
  return r.rows;
}

export interface ErasedCounts {
  requests: number;
  outcomes: number;
  learningEvents: number;
  /** Other requests' outcomes that listed the learner as a possible-match candidate. */
  candidateLists: number;
}

/**
 * Erases one learner's personal data (caller holds the lock from lockLearnerRequests and has checked
 * no work is open): learning events deleted, outcomes' ULNs and details cleared, requests' payloads,
 * errors, notes and dedupe keys cleared and their MIS learner id replaced by one random token (so
 * counts by code and status stay right, and nothing links the rows to the person). One audit row
 * per request (operation relay.learner_erase), naming the actor and no personal data.
 */
export async function eraseLearnerData(
  db: Queryable,
  o: { organisationId: number; misLearnerId: string; requestIds: number[]; actor: string; code: string },
): Promise<ErasedCounts> {
  // First, while their ULNs are still held: the learner as a possible match in other requests of the
  // organisation. Each candidate carrying one of their ULNs is replaced, in place, by a marker.
  const candidateLists = await db.query(
    `with ulns as (
       select u from lrs.outcome oc
        cross join lateral unnest(array[oc.uln, oc.master_uln] || coalesce(oc.linked_ulns, '{}')) as u
        where oc.request_id = any($1::bigint[]) and u is not null
       union
       select r.payload ->> 'uln' from lrs.request r
        where r.id = any($1::bigint[]) and r.payload ->> 'uln' is not null
     )
     update lrs.outcome oc
        set candidates = (select jsonb_agg(case when x.e ->> 'uln' in (select u from ulns)
                                                then '{"erased": true}'::jsonb else x.e end order by x.n)
                            from jsonb_array_elements(oc.candidates) with ordinality as x(e, n))
      where oc.organisation_id = $2 and not (oc.request_id = any($1::bigint[]))
        and jsonb_typeof(oc.candidates) = 'array'
        and exists (select 1 from jsonb_array_elements(oc.candidates) as c(e)
                     where c.e ->> 'uln' in (select u from ulns))`,
    [o.requestIds, o.organisationId],
  );
  const events = await db.query(
    `delete from lrs.learning_event
      where request_id = any($1::bigint[]) or (organisation_id = $2 and mis_learner_id = $3)`,
    [o.requestIds, o.organisationId, o.misLearnerId],
  );
  const outcomes = await db.query(
    `update lrs.outcome set uln = null, master_uln = null, linked_ulns = null, ${CLEAR_OUTCOME}
      where request_id = any($1::bigint[])`,
    [o.requestIds],
  );
  await db.query('delete from lrs.register_lock where request_id = any($1::bigint[])', [o.requestIds]);
  const requests = await db.query(
    `with token as (select 'erased-' || gen_random_uuid()::text as t),
     changed as (
       update lrs.request
          set mis_learner_id = (select t from token), payload = '{}'::jsonb, last_error = null,
              staff_note = null, dedupe_key = null, purged_at = coalesce(purged_at, now()), updated_at = now()
        where id = any($1::bigint[])
       returning id, organisation_id, batch_id
     )
     insert into lrs.audit (organisation_id, request_id, batch_id, user_name, operation, code, code_source, duration_ms)
     select organisation_id, id, batch_id, $2, 'relay.learner_erase', $3, 'relay', 0 from changed`,
    [o.requestIds, o.actor, o.code],
  );
  return {
    requests: requests.rowCount ?? 0,
    outcomes: outcomes.rowCount ?? 0,
    learningEvents: events.rowCount ?? 0,
    candidateLists: candidateLists.rowCount ?? 0,
  };
}

/** Writes one audit row for an action on a learner that touched no request (e.g. an export). */
export async function auditLearnerAction(
  db: Queryable,
  o: { organisationId: number; actor: string; operation: string; code: string },
): Promise<void> {
  await db.query(
    `insert into lrs.audit (organisation_id, user_name, operation, code, code_source, duration_ms)
     values ($1, $2, $3, $4, 'relay', 0)`,
    [o.organisationId, o.actor, o.operation, o.code],
  );
}

export interface ExportRequestRow {
  id: number;
  kind: string;
  mode: string;
  status: string;
  requestedBy: string;
  priority: number;
  payload: unknown;
  attempts: number;
  lastCode: string | null;
  lastError: string | null;
  staffNote: string | null;
  batchId: number | null;
  createdAt: Date;
  completedAt: Date | null;
  purgedAt: Date | null;
  outcome: Record<string, unknown> | null;
  audit: Record<string, unknown>[];
  learningEvents: Record<string, unknown>[];
}

/**
 * One page of a learner's requests for a subject access export (ids above `afterId`, at most
 * `limit`), each with its outcome, audit rows and learning events.
 */
export async function readLearnerExportPage(
  db: Queryable,
  o: { organisationId: number; misLearnerId: string; afterId: number; limit: number },
): Promise<ExportRequestRow[]> {
  const r = await db.query<ExportRequestRow>(
    `select r.id, r.kind, r.mode, r.status, r.requested_by as "requestedBy", r.priority, r.payload,
            r.attempts, r.last_code as "lastCode", r.last_error as "lastError", r.staff_note as "staffNote",
            r.batch_id as "batchId", r.created_at as "createdAt", r.completed_at as "completedAt",
            r.purged_at as "purgedAt",
            (select jsonb_build_object(
                      'code', oc.code, 'codeSource', oc.code_source, 'class', oc.class, 'uln', oc.uln,
                      'masterUln', oc.master_uln, 'linkedUlns', oc.linked_ulns, 'candidates', oc.candidates,
                      'learner', oc.learner, 'failureFlags', oc.failure_flags, 'description', oc.description,
                      'problems', oc.problems, 'detail', oc.detail, 'createdAt', oc.created_at)
               from lrs.outcome oc where oc.request_id = r.id) as outcome,
            coalesce((select jsonb_agg(jsonb_build_object(
                      'id', a.id, 'batchId', a.batch_id, 'userName', a.user_name, 'operation', a.operation,
                      'code', a.code, 'codeSource', a.code_source, 'httpStatus', a.http_status,
                      'durationMs', a.duration_ms, 'attempt', a.attempt, 'createdAt', a.created_at)
                      order by a.id)
               from lrs.audit a where a.request_id = r.id), '[]'::jsonb) as audit,
            coalesce((select jsonb_agg(jsonb_build_object(
                      'id', e.id, 'uln', e.uln, 'eventId', e.event_id, 'source', e.source,
                      'subjectCode', e.subject_code, 'subject', e.subject,
                      'qualificationType', e.qualification_type, 'level', e.level, 'grade', e.grade,
                      'credits', e.credits, 'achievementAwardDate', e.achievement_award_date,
                      'awardingOrganisationName', e.awarding_organisation_name,
                      'achievementProviderUkprn', e.achievement_provider_ukprn, 'status', e.status,
                      'event', e.event, 'createdAt', e.created_at, 'purgedAt', e.purged_at)
                      order by e.id)
               from lrs.learning_event e where e.request_id = r.id), '[]'::jsonb) as "learningEvents"
       from lrs.request r
      where r.organisation_id = $1 and r.mis_learner_id = $2 and r.id > $3
      order by r.id
      limit $4`,
    [o.organisationId, o.misLearnerId, o.afterId, o.limit],
  );
  return r.rows;
}

export interface OrganisationRef {
  id: number;
  name: string;
  ukprn: string | null;
  organisationRef: string | null;
}

/** The organisation with this id, UKPRN or organisation reference, or undefined. */
export async function findOrganisationByRef(
  db: Queryable,
  ref: string,
): Promise<OrganisationRef | undefined> {
  const r = await db.query<OrganisationRef>(
    `select id, name, ukprn, organisation_ref as "organisationRef" from lrs.organisation
      where ukprn = $1 or organisation_ref = $1 or id::text = $1
      order by id limit 1`,
    [ref],
  );
  return r.rows[0];
}
