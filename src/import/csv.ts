/**
 * Queues LRS work from an MIS export: streams the CSV (csv-parse), maps its columns to LRS fields,
 * validates each row with the LRS client's rules and submits the good ones through lrs.submit_request
 * (its statements in src/db/imports.ts). Every row ends up either queued or reported with its row
 * number, field and problem — never its values. The dedupe key is a hash of the kind, learner id and
 * mapped fields, so importing the same file (or the same rows in a new export) again queues nothing
 * twice.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import type pg from 'pg';
import type { RequestKind, RequestMode } from '../../db/schema.ts';
import { ImportSetupError, mapRecord, planColumns, type ColumnPlan, type ImportField } from './map.ts';
import { validateImportRow } from './validate.ts';
import { errorMessage } from '../errors.ts';
import { organisationDisabled, submitImportRows, type ImportRow, type SubmittedRow } from '../db/imports.ts';

export interface ImportOptions {
  pool: pg.Pool;
  /** A CSV file path, or a byte stream (tests). */
  input: string | Readable;
  /** UKPRN or organisation reference of an organisation in lrs.organisation. */
  organisation: string;
  kind: RequestKind;
  /** Default `auto` (the relay uses batches when the backlog is large). */
  mode?: RequestMode;
  /** The MIS user behind the import (sent to the LRS as UserName), 1–35 characters. */
  user: string;
  /** `--map` overrides (column → field, null = ignore). */
  map?: ReadonlyMap<string, ImportField | null>;
  /** Validate and report, submit nothing. */
  dryRun?: boolean;
  /** Queue priority (default 5: after interactive trigger work). */
  priority?: number;
  /** Rows submitted per statement (default 200). */
  chunkSize?: number;
}

export interface RowRejection {
  /** Data row number (1 = first row after the header). */
  row: number;
  /** Line in the file where the row ends. */
  line: number;
  /** LRS field (or `row`/`misLearnerId`) and, when one column fed it, that column. */
  field: string;
  column?: string | undefined;
  problem: string;
}

export interface ImportReport {
  kind: RequestKind;
  organisation: string;
  dryRun: boolean;
  /** Data rows read (including unreadable ones). */
  rows: number;
  /** Rows newly queued (in a dry run: rows that would be). */
  submitted: number;
  /** Rows whose request was already queued (same learner and data imported before). */
  alreadyQueued: number;
  /** Rows refused, each with every problem found. */
  rejectedRows: number;
  rejections: RowRejection[];
  /** Header columns nothing was read from. */
  ignoredColumns: string[];
  /** Fields filled with a default because the file has no column for them. */
  defaults: Record<string, string>;
}

/** What register needs that exports rarely carry: VerificationType 0, AbilityToShare 0 (privacy notice not seen). */
const REGISTER_DEFAULTS: Record<string, string> = { verificationType: '0', abilityToShare: '0' };

interface GoodRow extends ImportRow {
  row: number;
  line: number;
}

function dedupeKeyOf(kind: string, misLearnerId: string, payload: Record<string, string>): string {
  const canonical = JSON.stringify([
    kind,
    misLearnerId,
    Object.keys(payload)
      .sort()
      .map((k) => [k, payload[k]]),
  ]);
  return `import:${kind}:${createHash('sha256').update(canonical).digest('hex').slice(0, 40)}`;
}

/** A Postgres error as a reason a person can act on (no values: submit_request's messages carry none). */
function reasonOf(e: unknown): string {
  const msg = errorMessage(e);
  return msg.replace(/^lrs\.submit_request: /, '').slice(0, 300);
}

async function checkOrganisation(pool: pg.Pool, organisation: string): Promise<void> {
  const disabled = await organisationDisabled(pool, organisation);
  if (disabled === undefined)
    throw new ImportSetupError(
      `unknown organisation ${organisation}: add it with \`lrs-relay orgs add\` first`,
    );
  if (disabled)
    throw new ImportSetupError(
      `organisation ${organisation} is disabled: enable it with \`lrs-relay orgs enable\` first`,
    );
}

/** Imports one CSV. Throws ImportSetupError (nothing queued) when the file or options cannot work at all. */
export async function importCsv(o: ImportOptions): Promise<ImportReport> {
  const mode = o.mode ?? 'auto';
  const dryRun = o.dryRun ?? false;
  if (o.user.trim() === '' || o.user.length > 35)
    throw new ImportSetupError('--user must be 1 to 35 characters (it is sent to the LRS as UserName)');
  await checkOrganisation(o.pool, o.organisation);

  const report: ImportReport = {
    kind: o.kind,
    organisation: o.organisation,
    dryRun,
    rows: 0,
    submitted: 0,
    alreadyQueued: 0,
    rejectedRows: 0,
    rejections: [],
    ignoredColumns: [],
    defaults: {},
  };
  const reject = (
    row: number,
    line: number,
    problems: { field: string; column?: string | undefined; problem: string }[],
  ) => {
    report.rejectedRows++;
    for (const p of problems) report.rejections.push({ row, line, ...p });
  };

  const source = typeof o.input === 'string' ? createReadStream(o.input) : o.input;
  const parser = source.pipe(
    parse({
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
    }),
  );
  // pipe() does not forward errors: a missing or unreadable file must end the loop below, not hang it.
  source.once('error', (e: Error) => parser.destroy(e));
  let lastLine = 0;
  // csv-parse skips a record it cannot read (bad quoting) and says so here: report it, do not stop.
  parser.on('skip', (err: CsvError) => {
    report.rows++;
    const line = typeof err.lines === 'number' ? err.lines : lastLine + 1;
    reject(report.rows, line, [{ field: 'row', problem: `could not be read as CSV (${err.code})` }]);
  });

  let plan: ColumnPlan | undefined;
  let header: string[] = [];
  let pending: GoodRow[] = [];
  const flush = async () => {
    const rows = pending;
    pending = [];
    if (rows.length > 0) await submitRows(o, mode, rows, report, reject);
  };

  for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    lastLine = item.info.lines;
    if (!plan) {
      header = item.record.map((h) => h.trim());
      if (header.some((h) => h.includes('\ufffd')))
        throw new ImportSetupError(
          'the header row is not UTF-8 text: save the export as UTF-8 (CSV UTF-8) and try again',
        );
      plan = planColumns(header, o.map ?? new Map());
      report.ignoredColumns = plan.ignored;
      if (o.kind === 'register') {
        for (const [k, v] of Object.entries(REGISTER_DEFAULTS))
          if (!plan.fields.includes(k as ImportField)) report.defaults[k] = v;
      }
      continue;
    }
    report.rows++;
    const row = report.rows;
    const line = item.info.lines;
    const columnOf = (field: string) => {
      const i =
        plan?.fields.findIndex(
          (f) =>
            f === field ||
            (f === 'fullName' && ['givenName', 'familyName', 'middleOtherName'].includes(field)),
        ) ?? -1;
      return i >= 0 ? header[i] : undefined;
    };
    if (item.record.length !== header.length) {
      reject(row, line, [
        { field: 'row', problem: `has ${item.record.length} fields where the header has ${header.length}` },
      ]);
      continue;
    }
    const mapped = mapRecord(item.record, plan);
    const payload = { ...report.defaults, ...mapped.fields };
    const problems = [...mapped.problems];
    if (mapped.misLearnerId === undefined) problems.push({ field: 'misLearnerId', problem: 'is required' });
    else if (mapped.misLearnerId.length > 128)
      problems.push({ field: 'misLearnerId', problem: 'must be at most 128 characters' });
    // A cell that could not be read is reported once; a stand-in lets the rules still check every other field.
    const failedFields = new Set(problems.map((p) => p.field));
    const checked = { ...payload, ...Object.fromEntries([...failedFields].map((f) => [f, 'x'])) };
    for (const p of validateImportRow(o.kind, checked)) if (!failedFields.has(p.field)) problems.push(p);
    if (problems.length > 0 || mapped.misLearnerId === undefined) {
      reject(
        row,
        line,
        problems.map((p) => ({ ...p, column: columnOf(p.field) })),
      );
      continue;
    }
    pending.push({
      row,
      line,
      misLearnerId: mapped.misLearnerId,
      payload,
      dedupeKey: dedupeKeyOf(o.kind, mapped.misLearnerId, payload),
    });
    if (pending.length >= (o.chunkSize ?? 200)) await flush();
  }
  if (!plan) throw new ImportSetupError('the file is empty: expected a header row and data rows');
  await flush();
  report.rejections.sort((a, b) => a.row - b.row);
  return report;
}

async function submitRows(
  o: ImportOptions,
  mode: RequestMode,
  rows: GoodRow[],
  report: ImportReport,
  reject: (row: number, line: number, problems: { field: string; problem: string }[]) => void,
): Promise<void> {
  if (o.dryRun) {
    report.submitted += rows.length;
    return;
  }
  const run = (chunk: GoodRow[]) =>
    submitImportRows(
      o.pool,
      { organisation: o.organisation, kind: o.kind, user: o.user, mode, priority: o.priority ?? 5 },
      chunk,
    );
  const count = (result: SubmittedRow[], chunk: GoodRow[]) => {
    // Two equal rows in one chunk: the second finds the first's request.
    const seen = new Set<string>();
    result.forEach((r, i) => {
      const key = chunk[i]?.dedupeKey ?? '';
      if (r.existed || seen.has(key)) report.alreadyQueued++;
      else report.submitted++;
      seen.add(key);
    });
  };
  try {
    count(await run(rows), rows);
  } catch {
    // One row the database refused spoils its chunk: go row by row to find it and keep the others.
    for (const r of rows) {
      try {
        count(await run([r]), [r]);
      } catch (e) {
        reject(r.row, r.line, [{ field: 'row', problem: `refused by lrs.submit_request: ${reasonOf(e)}` }]);
      }
    }
  }
}
