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
  (AcquireProgress & { skipped: false }) | { skipped: true; runKey: string; reason: string };

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

const quoteIdent = (name: string) =>
  name
    .split('.')
    .map((p) => `"${p.replace(/"/g, '""')}"`)
    .join('.');

interface OrgRow {
  id: number;
  ukprn: string | null;
  organisationRef: string | null;
  isDisabled: boolean;
}

const INSERT_SQL = `
  insert into lrs.request (organisation_id, requested_by, kind, mode, priority, mis_learner_id, payload, dedupe_key)
  select t.org, o.default_user_name, 'register', 'batch', 10, t.mis, t.payload, 'acquire:' || $4 || ':' || t.mis
    from unnest($1::int[], $2::text[], $3::jsonb[]) as t(org, mis, payload)
    join lrs.organisation o on o.id = t.org
   where not exists (select 1 from lrs.request r
                      where r.organisation_id = t.org and r.mis_learner_id = t.mis and r.kind = 'register'
                        and r.status in ('pending', 'queued', 'in_progress', 'batched', 'held'))
  on conflict (organisation_id, dedupe_key) do nothing`;

export async function acquireUlns(o: AcquireUlnsOptions): Promise<AcquireResult> {
  const orgs = (
    await o.pool.query(
      `select id, ukprn, organisation_ref as "organisationRef", is_disabled as "isDisabled" from lrs.organisation`,
    )
  ).rows as OrgRow[];
  const byCode = new Map<string, OrgRow>();
  for (const org of orgs) {
    if (org.ukprn) byCode.set(org.ukprn, org);
    if (org.organisationRef) byCode.set(org.organisationRef, org);
  }
  const only = o.organisation === undefined ? undefined : byCode.get(o.organisation);
  if (o.organisation !== undefined && !only) throw new Error(`unknown organisation ${o.organisation}`);

  const claimed = await o.pool.query(
    `insert into lrs.acquisition_run (organisation_id, run_key) values ($1, $2) on conflict (run_key) do nothing returning id`,
    [only?.id ?? null, o.runKey],
  );
  if (claimed.rowCount === 0)
    return { skipped: true, runKey: o.runKey, reason: 'a run with this key was already started' };
  const progress: AcquireProgress = {
    runId: Number(claimed.rows[0].id),
    runKey: o.runKey,
    learnersFound: 0,
    requestsCreated: 0,
    skippedOrganisation: 0,
  };
  const log = o.log.child({ runKey: o.runKey, runId: progress.runId });

  const reader = await o.pool.connect();
  try {
    await reader.query('begin read only');
    const filter = o.organisation === undefined ? '' : ' where organisation::text = $1';
    await reader.query(
      `declare acquire_cursor no scroll cursor for select * from ${quoteIdent(o.view)}${filter}`,
      o.organisation === undefined ? [] : [o.organisation],
    );
    for (;;) {
      const rows = (await reader.query(`fetch ${o.chunkSize} from acquire_cursor`)).rows as Record<
        string,
        unknown
      >[];
      if (rows.length === 0) break;
      await insertChunk(o, rows, byCode, progress);
      o.onChunk?.({ ...progress });
      if (rows.length < o.chunkSize) break;
    }
    await reader.query('commit');
  } catch (e) {
    await reader.query('rollback').catch(() => {});
    await o.pool
      .query(`update lrs.acquisition_run set status = 'failed', finished_at = now() where id = $1`, [
        progress.runId,
      ])
      .catch(() => {});
    throw e;
  } finally {
    reader.release();
  }
  await o.pool.query(`update lrs.acquisition_run set status = 'created' where id = $1`, [progress.runId]);
  log.info(
    {
      learnersFound: progress.learnersFound,
      requestsCreated: progress.requestsCreated,
      skippedOrganisation: progress.skippedOrganisation,
    },
    'ULN acquisition requests created',
  );
  return { ...progress, skipped: false };
}

async function insertChunk(
  o: AcquireUlnsOptions,
  rows: Record<string, unknown>[],
  byCode: Map<string, OrgRow>,
  progress: AcquireProgress,
): Promise<void> {
  const org: number[] = [];
  const mis: string[] = [];
  const payload: string[] = [];
  for (const row of rows) {
    const target = byCode.get(String(row.organisation ?? ''));
    const misId = fieldValue(row.mis_learner_id ?? row.misLearnerId);
    if (!target || target.isDisabled || misId === undefined) {
      progress.skippedOrganisation++;
      continue;
    }
    org.push(target.id);
    mis.push(misId);
    payload.push(JSON.stringify(payloadFromViewRow(row)));
  }
  const client = await o.pool.connect();
  try {
    await client.query('begin');
    // Serialises chunk inserts of concurrent runs, so NOT EXISTS sees the other run's requests.
    await client.query(`select pg_advisory_xact_lock(hashtext('lrs.acquire-ulns'))`);
    const r = await client.query(INSERT_SQL, [org, mis, payload, progress.runKey]);
    const created = r.rowCount ?? 0;
    await client.query(
      `update lrs.acquisition_run set learners_found = learners_found + $2, requests_created = requests_created + $3 where id = $1`,
      [progress.runId, rows.length, created],
    );
    await client.query('commit');
    progress.learnersFound += rows.length;
    progress.requestsCreated += created;
  } catch (e) {
    await client.query('rollback').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

/** Counts of a run's requests by state, and marks the run completed when none is open. */
export async function refreshRunProgress(
  pool: pg.Pool,
  runKey: string,
): Promise<{ total: number; done: number; byStatus: Record<string, number> }> {
  const r = await pool.query(
    `select status, count(*)::int as n from lrs.request where kind = 'register' and dedupe_key like $1 group by status`,
    [`acquire:${runKey.replace(/[\\%_]/g, '\\$&')}:%`],
  );
  const byStatus: Record<string, number> = {};
  let total = 0;
  let done = 0;
  for (const row of r.rows as { status: string; n: number }[]) {
    byStatus[row.status] = row.n;
    total += row.n;
    if (['succeeded', 'needs_action', 'rejected', 'failed', 'cancelled'].includes(row.status)) done += row.n;
  }
  await pool.query(
    `update lrs.acquisition_run set requests_completed = $2,
            status = case when $2 >= requests_created and status = 'created' then 'completed' else status end,
            finished_at = case when $2 >= requests_created and status = 'created' then now() else finished_at end
      where run_key = $1`,
    [runKey, done],
  );
  return { total, done, byStatus };
}
