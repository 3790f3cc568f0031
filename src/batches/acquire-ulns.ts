/**
 * Nightly bulk ULN acquisition: reads the learners needing a ULN from the MIS's view
 * (ACQUIRE_ULNS_VIEW) through a server-side cursor, chunk by chunk, and creates batch-mode register
 * requests (priority 10, UserName = the organisation's default) for those without an open register
 * request. Nothing proportional to the number of learners is held in memory.
 *
 * Never twice: each request's dedupe key is `acquire:<run key>:<MIS learner id>` (unique per
 * organisation), and chunks are inserted under one advisory lock with NOT EXISTS on open register
 * requests, so two runs at once (same or different run key) create each request once.
 * The run is recorded in lrs.acquisition_run; its run key is the London date slot for scheduled runs,
 * so two schedulers starting the same night make one row and the second does nothing.
 */
import type pg from 'pg';
import type { Logger } from '../log.ts';
import { PAYLOADS } from '../requests/payload.ts';
import {
  insertAcquiredRequests,
  insertAcquisitionRun,
  listOrganisationCodes,
  readViewInChunks,
  setAcquisitionRunStatus,
  type OrganisationCodes,
} from '../db/acquisition.ts';

export interface AcquireUlnsOptions {
  pool: pg.Pool;
  log: Logger;
  /** schema.view, lower case (validated by config). */
  view: string;
  runKey: string;
  /** Rows per cursor fetch and insert. */
  chunkSize: number;
  /** Only this organisation (UKPRN or organisation reference). */
  organisation?: string | undefined;
  /** Called after every chunk (progress bars, kicking the assembler). */
  onChunk?: ((progress: AcquireProgress) => void) | undefined;
}

export interface AcquireProgress {
  runId: number;
  runKey: string;
  learnersFound: number;
  requestsCreated: number;
  /** Rows whose organisation is not served here (unknown or disabled). */
  skippedOrganisation: number;
}

export type AcquireResult =
  | (AcquireProgress & {
      skipped: false;
      /** Wall time reading the view (cursor fetches) and inserting the requests, seconds. */
      seconds: { read: number; insert: number };
    })
  | { skipped: true; runKey: string; reason: string };

/** The register fields a view may provide (camelCase, as lrs.submit_request takes them). */
const REGISTER_FIELDS = new Set(Object.keys(PAYLOADS.register.shape));

/** `last_known_post_code` → `lastKnownPostCode`; camelCase names pass unchanged. */
export function toCamelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function fieldValue(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (v instanceof Date) {
    // node-postgres reads a `date` as local midnight; the local calendar date is the one the MIS stored.
    return `${v.getFullYear()}-${String(v.getMonth() + 1).padStart(2, '0')}-${String(v.getDate()).padStart(2, '0')}`;
  }
  const s =
    typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
  return s === undefined || s.trim() === '' ? undefined : s;
}

/** A view row → the register payload (only known LRS register fields; other columns are ignored). */
export function payloadFromViewRow(row: Record<string, unknown>): Record<string, string> {
  const payload: Record<string, string> = {};
  for (const [key, value] of Object.entries(row)) {
    const name = toCamelCase(key);
    if (!REGISTER_FIELDS.has(name)) continue;
    const v = fieldValue(value);
    if (v !== undefined) payload[name] = v;
  }
  return payload;
}

/** The run key of a scheduled run: the calendar date in Europe/London of the slot it was scheduled for. */
export function nightlyRunKey(slotMs: number): string {
  return `nightly:${new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(slotMs)}`;
}

export async function acquireUlns(o: AcquireUlnsOptions): Promise<AcquireResult> {
  const byCode = new Map<string, OrganisationCodes>();
  for (const org of await listOrganisationCodes(o.pool)) {
    if (org.ukprn) byCode.set(org.ukprn, org);
    if (org.organisationRef) byCode.set(org.organisationRef, org);
  }
  const only = o.organisation === undefined ? undefined : byCode.get(o.organisation);
  if (o.organisation !== undefined && !only)
    throw new Error(
      `unknown organisation ${JSON.stringify(o.organisation)}: give its UKPRN or organisation reference (lrs-relay orgs list)`,
    );

  const runId = await insertAcquisitionRun(o.pool, { organisationId: only?.id ?? null, runKey: o.runKey });
  if (runId === undefined)
    return { skipped: true, runKey: o.runKey, reason: 'a run with this key was already started' };
  const progress: AcquireProgress = {
    runId,
    runKey: o.runKey,
    learnersFound: 0,
    requestsCreated: 0,
    skippedOrganisation: 0,
  };
  const log = o.log.child({ runKey: o.runKey, runId });
  const started = performance.now();
  let insertMs = 0;
  try {
    await readViewInChunks(
      o.pool,
      {
        view: o.view,
        chunkSize: o.chunkSize,
        organisationCodes: o.organisation === undefined ? undefined : [o.organisation],
      },
      async (rows) => {
        const t = performance.now();
        await insertChunk(o, rows, byCode, progress);
        insertMs += performance.now() - t;
        o.onChunk?.({ ...progress });
      },
    );
  } catch (e) {
    await setAcquisitionRunStatus(o.pool, runId, 'failed').catch(() => {});
    throw e;
  }
  await setAcquisitionRunStatus(o.pool, runId, 'created');
  const seconds = {
    read: Math.round(performance.now() - started - insertMs) / 1000,
    insert: Math.round(insertMs) / 1000,
  };
  log.info(
    {
      learnersFound: progress.learnersFound,
      requestsCreated: progress.requestsCreated,
      skippedOrganisation: progress.skippedOrganisation,
      seconds,
    },
    'ULN acquisition requests created',
  );
  return { ...progress, skipped: false, seconds };
}

async function insertChunk(
  o: AcquireUlnsOptions,
  rows: Record<string, unknown>[],
  byCode: Map<string, OrganisationCodes>,
  progress: AcquireProgress,
): Promise<void> {
  const learners: { organisationId: number; misLearnerId: string; payload: Record<string, string> }[] = [];
  for (const row of rows) {
    const target = byCode.get(String(row.organisation ?? ''));
    const misId = fieldValue(row.mis_learner_id ?? row.misLearnerId);
    if (!target || target.isDisabled || misId === undefined) {
      progress.skippedOrganisation++;
      continue;
    }
    learners.push({ organisationId: target.id, misLearnerId: misId, payload: payloadFromViewRow(row) });
  }
  const created = await insertAcquiredRequests(o.pool, {
    runId: progress.runId,
    runKey: progress.runKey,
    learnersRead: rows.length,
    rows: learners,
  });
  progress.learnersFound += rows.length;
  progress.requestsCreated += created;
}
