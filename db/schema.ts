/**
 * The `lrs` schema: the system of record for every piece of LRS work (DESIGN.md "Postgres").
 * Generated SQL migrations live in db/migrations (`npm run db:generate`); a test fails if they drift.
 * The SQL function MIS triggers call is db/functions/submit-request.sql, applied by `lrs-relay migrate`.
 */
import { sql } from 'drizzle-orm';
import {
  pgSchema,
  serial,
  bigserial,
  bigint,
  integer,
  text,
  boolean,
  jsonb,
  timestamp,
  index,
  uniqueIndex,
  check,
  primaryKey,
} from 'drizzle-orm/pg-core';

export const lrs = pgSchema('lrs');

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const createdAt = () => ts('created_at').notNull().defaultNow();

export const REQUEST_KINDS = [
  'find_by_uln',
  'find_by_demographics',
  'register',
  'update',
  'verify',
  'learning_events',
  'achievement',
] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export const REQUEST_MODES = ['single', 'batch', 'auto'] as const;
export type RequestMode = (typeof REQUEST_MODES)[number];

/** Statuses of a request still on its way (held achievements wait for a verify, by design). */
export const OPEN_STATUSES = ['pending', 'queued', 'in_progress', 'batched', 'held'] as const;
/** Statuses of a finished request: the relay will not work it again. */
export const TERMINAL_STATUSES = ['succeeded', 'needs_action', 'rejected', 'failed', 'cancelled'] as const;
/** pending → queued → in_progress → (terminal) ; batch mode: pending → batched → (terminal). */
export const REQUEST_STATUSES = [...OPEN_STATUSES, ...TERMINAL_STATUSES] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const BATCH_KINDS = ['registration', 'verify', 'achievement'] as const;
export type BatchKind = (typeof BATCH_KINDS)[number];
export const BATCH_STATUSES = [
  'assembled',
  'submitting',
  'submitted',
  'fetching',
  'completed',
  'failed',
  'cancelled',
] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];
/** A batch in one of these is finished: nothing more is sent, polled or fanned out. */
export const FINISHED_BATCH_STATUSES = [
  'completed',
  'failed',
  'cancelled',
] as const satisfies readonly BatchStatus[];

/**
 * `col = any ('{a,b}'::text[])`: one array constant. Postgres stores `col in ('a', 'b')` as an array
 * built of one constant per value, which it folds again each time it prepares the check; a statement
 * that writes one row (every lrs.submit_request) prepares every check of the table, so the folding was
 * a tenth of the insert's cost. The values are our own lists' identifiers (no quotes or commas).
 */
const inList = (col: string, values: readonly string[]) =>
  sql.raw(`${col} = any ('{${values.join(',')}}'::text[])`);

export const organisation = lrs.table(
  'organisation',
  {
    id: serial('id').primaryKey(),
    name: text('name').notNull(),
    ukprn: text('ukprn'),
    organisationRef: text('organisation_ref'),
    vendorId: integer('vendor_id').notNull().default(0),
    /** Where the LRS password comes from: {kind:'env',name} | {kind:'file',path} | {kind:'encrypted',…}. Never plain. */
    passwordRef: jsonb('password_ref').notNull(),
    /** Client certificate: {format:'pfx',path,passphraseRef?} | {format:'pem',keyPath,certPath,passphraseRef?} | null. */
    certificateRef: jsonb('certificate_ref'),
    certificateNotAfter: ts('certificate_not_after'),
    /** UserName sent for unattended work (nightly runs, sweeps). 1–35 characters. */
    defaultUserName: text('default_user_name').notNull(),
    /** Share of worker concurrency this organisation may hold at once (jobs). */
    concurrencyShare: integer('concurrency_share').notNull().default(8),
    /** LRS calls per second for this organisation; null = the queue's global limit only. */
    rateLimitPerSecond: integer('rate_limit_per_second'),
    isDisabled: boolean('is_disabled').notNull().default(false),
    disabledReason: text('disabled_reason'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('organisation_ukprn_key').on(t.ukprn),
    uniqueIndex('organisation_ref_key').on(t.organisationRef),
    check('organisation_one_identifier', sql`(${t.ukprn} is null) <> (${t.organisationRef} is null)`),
    check('organisation_ukprn_format', sql`${t.ukprn} is null or ${t.ukprn} ~ '^[0-9A-Za-z]{8}$'`),
    check(
      'organisation_ref_format',
      sql`${t.organisationRef} is null or ${t.organisationRef} ~ '^[0-9A-Za-z]{6}$'`,
    ),
    check('organisation_user_name', sql`char_length(${t.defaultUserName}) between 1 and 35`),
  ],
);

export const batch = lrs.table(
  'batch',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    organisationId: integer('organisation_id')
      .notNull()
      .references(() => organisation.id),
    kind: text('kind').notNull(),
    /** FUL or CHK for registration batches. */
    jobType: text('job_type'),
    status: text('status').notNull().default('assembled'),
    requestedBy: text('requested_by').notNull(),
    lrsJobId: text('lrs_job_id'),
    recordCount: integer('record_count').notNull(),
    polls: integer('polls').notNull().default(0),
    nextPollAt: ts('next_poll_at'),
    lastCode: text('last_code'),
    lastError: text('last_error'),
    /** LRS counters as returned (NewLearnersCount, …) and our own fan-out counts. */
    counters: jsonb('counters').notNull().default({}),
    createdAt: createdAt(),
    submittedAt: ts('submitted_at'),
    completedAt: ts('completed_at'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    check('batch_kind', inList('kind', BATCH_KINDS)),
    check('batch_status', inList('status', BATCH_STATUSES)),
    index('batch_status_idx').on(t.status, t.organisationId),
    // The achievement cap an assembly pass looks up per organisation (half the smallest batch refused with
    // WSEC0046): a few rows, found without reading a year of batches.
    index('batch_too_many_idx')
      .on(t.organisationId, t.recordCount)
      .where(sql`kind = 'achievement' and last_code = 'WSEC0046'`),
  ],
);

export const request = lrs.table(
  'request',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    organisationId: integer('organisation_id')
      .notNull()
      .references(() => organisation.id),
    /** The MIS user (or process) behind the request, sent to the LRS as UserName. */
    requestedBy: text('requested_by').notNull(),
    kind: text('kind').notNull(),
    mode: text('mode').notNull().default('single'),
    /** Lower runs first (BullMQ priority): interactive 1, imports 5, nightly bulk 10. */
    priority: integer('priority').notNull().default(1),
    /** The MIS's own learner id; results are keyed by it in learner_status. */
    misLearnerId: text('mis_learner_id').notNull(),
    payload: jsonb('payload').notNull(),
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastCode: text('last_code'),
    lastError: text('last_error'),
    batchId: bigint('batch_id', { mode: 'number' }).references(() => batch.id),
    /** Same MIS change twice → one request (unique per organisation). */
    dedupeKey: text('dedupe_key'),
    /** Set when a register call was sent and no answer was read: search again before registering again. */
    registerInDoubt: boolean('register_in_doubt').notNull().default(false),
    /** Free-text note from support staff (e.g. why all candidates were rejected). */
    staffNote: text('staff_note'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    queuedAt: ts('queued_at'),
    completedAt: ts('completed_at'),
    notBefore: ts('not_before'),
    /**
     * When the retention purge or a learner erasure removed this request's personal data (payload,
     * last error, staff note, outcome details); null while it is held. A purged request is never retried.
     */
    purgedAt: ts('purged_at'),
  },
  (t) => [
    check('request_kind', inList('kind', REQUEST_KINDS)),
    check('request_mode', inList('mode', REQUEST_MODES)),
    check('request_status', inList('status', REQUEST_STATUSES)),
    check('request_requested_by', sql`char_length(${t.requestedBy}) between 1 and 35`),
    // A request whose personal data is gone cannot be worked again (its payload is empty).
    check('request_purged_finished', sql`${t.purgedAt} is null or ${inList('status', TERMINAL_STATUSES)}`),
    // Partial: most requests have no dedupe key, and each of their row versions would add an entry.
    // Inserts that rely on it name its predicate: on conflict (organisation_id, dedupe_key) where dedupe_key is not null.
    uniqueIndex('request_dedupe_key')
      .on(t.organisationId, t.dedupeKey)
      .where(sql`dedupe_key is not null`),
    index('request_open_idx')
      .on(t.status, t.organisationId, t.kind, t.id)
      .where(sql.raw(`status in (${OPEN_STATUSES.map((st) => `'${st}'`).join(', ')})`)),
    // The outbox relay's claims walk these in order and stop at the chunk size, however deep the
    // backlog of batch-mode work is.
    index('request_claim_single_idx')
      .on(t.priority, t.id)
      .where(sql`status = 'pending' and mode = 'single'`),
    index('request_claim_auto_idx')
      .on(t.organisationId, t.kind, t.priority, t.id)
      .where(sql`status = 'pending' and mode = 'auto'`),
    index('request_learner_idx').on(t.organisationId, t.misLearnerId, t.id),
    // Partial, so the common row (single-call, succeeded) is not in them: every status change of a
    // request writes a new entry into each index that covers it, and these two cover only the few.
    index('request_batch_idx')
      .on(t.batchId)
      .where(sql`batch_id is not null`),
    index('request_problem_idx')
      .on(t.status, t.lastCode)
      .where(sql`status in ('needs_action', 'rejected', 'failed')`),
    // The retention purge walks finished, unpurged requests oldest first and stops at its chunk size.
    index('request_purge_idx')
      .on(t.completedAt)
      .where(sql`purged_at is null and completed_at is not null`),
  ],
);

export const outcome = lrs.table(
  'outcome',
  {
    requestId: bigint('request_id', { mode: 'number' })
      .primaryKey()
      .references(() => request.id),
    organisationId: integer('organisation_id')
      .notNull()
      .references(() => organisation.id),
    code: text('code').notNull(),
    codeSource: text('code_source').notNull(),
    class: text('class').notNull(),
    uln: text('uln'),
    masterUln: text('master_uln'),
    linkedUlns: text('linked_ulns').array(),
    /** Candidate learners for possible matches (LRS data, kept in the lrs schema only). */
    candidates: jsonb('candidates'),
    /** The learner record the LRS returned, when it returned one. */
    learner: jsonb('learner'),
    failureFlags: text('failure_flags').array(),
    description: text('description'),
    /** Field problems found by local validation. */
    problems: jsonb('problems'),
    /** Anything else the operation returned (batch row, verify row, counters). */
    detail: jsonb('detail'),
    createdAt: createdAt(),
  },
  (t) => [
    check('outcome_code_source', sql`${t.codeSource} in ('lrs', 'relay')`),
    index('outcome_uln_idx').on(t.uln),
  ],
);

export const audit = lrs.table(
  'audit',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    organisationId: integer('organisation_id')
      .notNull()
      .references(() => organisation.id),
    requestId: bigint('request_id', { mode: 'number' }),
    batchId: bigint('batch_id', { mode: 'number' }),
    userName: text('user_name').notNull(),
    operation: text('operation').notNull(),
    code: text('code').notNull(),
    codeSource: text('code_source').notNull(),
    httpStatus: integer('http_status'),
    durationMs: integer('duration_ms').notNull(),
    attempt: integer('attempt'),
    createdAt: createdAt(),
  },
  (t) => [
    index('audit_request_idx').on(t.requestId),
    index('audit_batch_idx')
      .on(t.batchId)
      .where(sql`batch_id is not null`),
    index('audit_org_time_idx').on(t.organisationId, t.createdAt),
  ],
);

export const responseCode = lrs.table('response_code', {
  code: text('code').primaryKey(),
  source: text('source').notNull(),
  class: text('class').notNull(),
  meaning: text('meaning').notNull(),
  retry: text('retry').notNull(),
  resolution: text('resolution').notNull(),
});

export const learningEvent = lrs.table(
  'learning_event',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    requestId: bigint('request_id', { mode: 'number' })
      .notNull()
      .references(() => request.id),
    organisationId: integer('organisation_id')
      .notNull()
      .references(() => organisation.id),
    misLearnerId: text('mis_learner_id').notNull(),
    uln: text('uln').notNull(),
    eventId: integer('event_id'),
    source: text('source'),
    subjectCode: text('subject_code'),
    subject: text('subject'),
    qualificationType: text('qualification_type'),
    level: text('level'),
    grade: text('grade'),
    credits: integer('credits'),
    achievementAwardDate: text('achievement_award_date'),
    awardingOrganisationName: text('awarding_organisation_name'),
    achievementProviderUkprn: text('achievement_provider_ukprn'),
    status: text('status'),
    /** The whole event as returned ({} once purged). */
    event: jsonb('event').notNull(),
    createdAt: createdAt(),
    /** When the retention purge cleared the event's details; null while they are held. */
    purgedAt: ts('purged_at'),
  },
  (t) => [
    index('learning_event_learner_idx').on(t.organisationId, t.misLearnerId),
    index('learning_event_request_idx').on(t.requestId),
    index('learning_event_purge_idx')
      .on(t.createdAt)
      .where(sql`purged_at is null`),
  ],
);

export const acquisitionRun = lrs.table('acquisition_run', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  organisationId: integer('organisation_id').references(() => organisation.id),
  /** Unique per scheduled slot so two schedulers starting the same run create one row. */
  runKey: text('run_key').notNull().unique(),
  status: text('status').notNull().default('running'),
  learnersFound: integer('learners_found').notNull().default(0),
  requestsCreated: integer('requests_created').notNull().default(0),
  requestsCompleted: integer('requests_completed').notNull().default(0),
  startedAt: ts('started_at').notNull().defaultNow(),
  finishedAt: ts('finished_at'),
});

export const staffUser = lrs.table('staff_user', {
  id: serial('id').primaryKey(),
  username: text('username').notNull().unique(),
  /** scrypt hash: `scrypt$N$r$p$salt$hash` (base64). */
  passwordHash: text('password_hash').notNull(),
  isAdmin: boolean('is_admin').notNull().default(false),
  /** Wrong passwords since the last successful login (shown to admins; login throttling is in login_throttle). */
  failedLogins: integer('failed_logins').notNull().default(0),
  /** No longer set: logins are throttled per address and account instead (login_throttle). */
  lockedUntil: ts('locked_until'),
  /** Set by `lrs-relay staff disable`: the account cannot log in and its sessions stop working. */
  disabledAt: ts('disabled_at'),
  createdAt: createdAt(),
});

/**
 * Login attempts per fixed window, counted before the password is checked (one atomic upsert), so
 * parallel guesses cannot exceed a limit. The key is a SHA-256 of `account:<username>@<ip>`,
 * `address:<ip>`, `site:<ip>` (the address counted site-wide) or `site` (how many addresses were):
 * no address or typed username is stored in the clear.
 */
export const loginThrottle = lrs.table(
  'login_throttle',
  {
    keyHash: text('key_hash').primaryKey(),
    windowStart: ts('window_start').notNull(),
    attempts: integer('attempts').notNull(),
  },
  // The clean-up deletes windows that have passed (window_start < now() - the longest window).
  (t) => [index('login_throttle_window_idx').on(t.windowStart)],
);

/** Changes to staff accounts (add, grant, revoke, passwd, disable, enable, remove, promote, demote). */
export const staffAudit = lrs.table(
  'staff_audit',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** Who made the change (`cli:<os user>` from the command line). */
    userName: text('user_name').notNull(),
    /** `staff.disable`, `staff.enable`, `staff.remove`, … */
    operation: text('operation').notNull(),
    /** The account changed (kept after the account is removed). */
    staffUsername: text('staff_username').notNull(),
    /** What changed, in words without secrets (e.g. the organisations granted). */
    detail: text('detail'),
    createdAt: createdAt(),
  },
  (t) => [index('staff_audit_username_idx').on(t.staffUsername, t.createdAt)],
);

/**
 * Which organisations a database login of the MIS may act for (`lrs-relay mis-login grant|revoke|list`).
 * lrs.submit_request refuses other organisations and lrs.learner_status shows only these, for any
 * login that is a member of `role_name` (docs/security.md "Organisation scoping of MIS logins").
 * Written by the schema owner only.
 */
export const misLogin = lrs.table(
  'mis_login',
  {
    /** A Postgres role: the MIS's login, or a group role its logins are members of. */
    roleName: text('role_name').notNull(),
    organisationId: integer('organisation_id')
      .notNull()
      .references(() => organisation.id, { onDelete: 'cascade' }),
    /** Who mapped it (`cli:<os user>` from the command line). */
    grantedBy: text('granted_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.roleName, t.organisationId] }),
    check('mis_login_role_name', sql`char_length(${t.roleName}) between 1 and 63`),
  ],
);

export const staffOrganisation = lrs.table(
  'staff_organisation',
  {
    staffUserId: integer('staff_user_id')
      .notNull()
      .references(() => staffUser.id, { onDelete: 'cascade' }),
    organisationId: integer('organisation_id')
      .notNull()
      .references(() => organisation.id),
  },
  (t) => [primaryKey({ columns: [t.staffUserId, t.organisationId] })],
);

export const staffSession = lrs.table('staff_session', {
  /** SHA-256 of the session token; the token itself is only in the cookie. */
  tokenHash: text('token_hash').primaryKey(),
  staffUserId: integer('staff_user_id')
    .notNull()
    .references(() => staffUser.id, { onDelete: 'cascade' }),
  csrfToken: text('csrf_token').notNull(),
  expiresAt: ts('expires_at').notNull(),
  createdAt: createdAt(),
});

/**
 * One registration at a time per person: a register request holds its learner's identity key here from
 * its search to its registration, so two requests for the same person can never both register.
 * The key is a SHA-256 of normalised demographics (not reversible to a name in practice; kept in Postgres only).
 */
export const registerLock = lrs.table('register_lock', {
  identityKey: text('identity_key').primaryKey(),
  requestId: bigint('request_id', { mode: 'number' }).notNull(),
  expiresAt: ts('expires_at').notNull(),
});

/**
 * A bulk action by a member of staff that can be undone for a while (UNDO_WINDOW in
 * src/support/bulk-actions.ts): which requests it changed and the status each had before. Ids only, no
 * personal data; rows older than a day are removed as new ones are written.
 */
export const bulkAction = lrs.table(
  'bulk_action',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** Who acted (the staff username, or `cli:<os user>`); only they may undo it. */
    userName: text('user_name').notNull(),
    /** What was done: `cancel`. */
    operation: text('operation').notNull(),
    requestIds: bigint('request_ids', { mode: 'number' }).array().notNull(),
    /** The status of each of requestIds before the action, in the same order. */
    previousStatuses: text('previous_statuses').array().notNull(),
    createdAt: createdAt(),
    undoneAt: ts('undone_at'),
  },
  (t) => [
    check('bulk_action_operation', inList('operation', ['cancel'])),
    check('bulk_action_lengths', sql`cardinality(${t.requestIds}) = cardinality(${t.previousStatuses})`),
  ],
);

/**
 * The running relay processes: each records itself at start-up and refreshes `last_seen_at` every
 * HEARTBEAT_INTERVAL_MS (src/processes/heartbeat.ts); a clean stop sets `stopped_at`. A role with no
 * process seen recently is missing (/readyz, the overview, lrs_relay_role_processes). Rows of processes
 * gone for a day are deleted by the heartbeats of the others.
 */
export const relayProcess = lrs.table(
  'process',
  {
    /** Random id the process chose at start-up. */
    id: text('id').primaryKey(),
    /** The roles it runs: producer, worker, scheduler, dashboard. */
    roles: text('roles').array().notNull(),
    host: text('host').notNull(),
    pid: integer('pid').notNull(),
    /** lrs-relay's version (package.json). */
    version: text('version').notNull(),
    /** Where its /healthz, /readyz and /metrics answer (the dashboard, or HEALTH_PORT), if anywhere. */
    healthUrl: text('health_url'),
    startedAt: ts('started_at').notNull().defaultNow(),
    lastSeenAt: ts('last_seen_at').notNull().defaultNow(),
    stoppedAt: ts('stopped_at'),
  },
  (t) => [index('process_last_seen_idx').on(t.lastSeenAt)],
);

/**
 * When each request was an exception (needs action, rejected or failed): one row per period, opened when
 * the request became one (or changed status or code while one) and closed when it stopped being one, so
 * "open exceptions over time" counts what was open at each moment, closed ones included. Written by a
 * trigger on lrs.request (migration 0014), the one place every status change passes; ids, statuses, codes
 * and times only (no personal data). Periods closed longer ago than RETENTION_REQUEST_DAYS are deleted by
 * the retention purge.
 */
export const exceptionSpan = lrs.table(
  'exception_span',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    // Goes with its request: a request deleted, or the table truncated and its ids started again (a restore
    // into a used database), must not leave a period open under an id a new request will take.
    requestId: bigint('request_id', { mode: 'number' })
      .notNull()
      .references(() => request.id, { onDelete: 'cascade' }),
    organisationId: integer('organisation_id').notNull(),
    status: text('status').notNull(),
    code: text('code'),
    openedAt: ts('opened_at').notNull(),
    closedAt: ts('closed_at'),
  },
  (t) => [
    // At most one open period a request; the trigger closes it through this index.
    uniqueIndex('exception_span_open_idx')
      .on(t.requestId)
      .where(sql`closed_at is null`),
    // The charts read the periods closed within their range, and retention the ones closed before it.
    index('exception_span_closed_idx')
      .on(t.closedAt)
      .where(sql`closed_at is not null`),
  ],
);
