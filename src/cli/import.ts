/**
 * `lrs-relay import <file.csv> --org <ukprn|ref> --kind <kind> [--map col=field,…] [--mode …] [--user NAME]
 * [--dry-run] [--json]`: queues LRS work from an MIS export and reports every refused row (row, column,
 * problem; never the data). Exit code 0 when every row was queued, 1 when some were refused.
 */
import { basename } from 'node:path';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { REQUEST_KINDS, REQUEST_MODES, type RequestKind, type RequestMode } from '../../db/schema.ts';
import { loadConfig } from '../config.ts';
import { createDatabase } from '../db/pool.ts';
import { importCsv, type ImportReport } from '../import/csv.ts';
import { IMPORT_FIELDS, ImportSetupError, parseMapOption } from '../import/map.ts';
import { jsonText, terminalLine } from './kit.ts';

const HELP = `Usage: lrs-relay import <file.csv> --org <UKPRN|ref> --kind <kind> [options]

Reads a CSV export (UTF-8, header row), maps its columns to LRS fields, checks every row with the rules
the LRS applies, and queues the good rows through lrs.submit_request. Importing the same rows again
queues nothing twice. Refused rows are listed with row number, column and problem (never the data).

  --kind K        ${REQUEST_KINDS.join(' | ')}
  --org X         the organisation's UKPRN or organisation reference (see \`lrs-relay orgs list\`)
  --map M         column=field pairs, comma-separated, overriding the built-in column names;
                  field - ignores a column. Fields: ${IMPORT_FIELDS.join(', ')}
  --mode M        ${REQUEST_MODES.join(' | ')} (default auto)
  --user NAME     the person behind the import, sent to the LRS as UserName (default: your login name)
  --dry-run       check and report only; queue nothing
  --json          print one JSON object instead of the report

Built-in column names include student_id, forename, surname, name (split into given and family names),
dob / birth_date (dd/mm/yyyy or yyyy-mm-dd), sex / gender (M, F, U, X), postcode, email, uln.
For register, VerificationType 0 and AbilityToShare 0 are sent unless the file has those columns.`;

/** The report for a person: column names, values and problems come from the file, so each is escaped (terminalLine). */
export function formatReport(file: string, r: ImportReport): string {
  const lines = [
    terminalLine`${r.dryRun ? 'Dry run: ' : ''}${basename(file)} → ${r.kind} for organisation ${r.organisation}`,
  ];
  if (r.ignoredColumns.length > 0) lines.push(terminalLine`Ignored columns: ${r.ignoredColumns.join(', ')}`);
  const defaults = Object.entries(r.defaults);
  if (defaults.length > 0)
    lines.push(
      terminalLine`Defaults (no column in the file): ${defaults.map(([k, v]) => `${k}=${v}`).join(', ')}`,
    );
  if (r.rejections.length > 0) {
    lines.push('', 'Refused rows:');
    for (const x of r.rejections) {
      lines.push(
        terminalLine`  row ${x.row} (line ${x.line}): ${x.field}${x.column && x.column !== x.field ? ` (column ${x.column})` : ''} ${x.problem}`,
      );
    }
  }
  lines.push(
    '',
    `${r.rows} row(s) read: ${r.submitted} ${r.dryRun ? 'would be queued' : 'queued'}, ${r.alreadyQueued} already queued before, ${r.rejectedRows} refused.`,
  );
  return `${lines.join('\n')}\n`;
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      org: { type: 'string' },
      kind: { type: 'string' },
      map: { type: 'string' },
      mode: { type: 'string', default: 'auto' },
      user: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const file = positionals[0];
  const fail = (msg: string) => {
    // Setup errors can quote the file's column names: escaped like every value from the file.
    console.error(terminalLine`lrs-relay import: ${msg}`);
    return 2;
  };
  if (!file || positionals.length > 1) return fail('give exactly one CSV file (see --help)');
  if (!values.org) return fail('--org is required (UKPRN or organisation reference)');
  if (!values.kind || !(REQUEST_KINDS as readonly string[]).includes(values.kind))
    return fail(`--kind must be one of ${REQUEST_KINDS.join(', ')}`);
  if (!(REQUEST_MODES as readonly string[]).includes(values.mode))
    return fail(`--mode must be one of ${REQUEST_MODES.join(', ')}`);

  const config = loadConfig();
  const database = createDatabase({
    url: config.DATABASE_URL,
    poolSize: 2,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    applicationName: 'lrs-relay import',
  });
  try {
    const report = await importCsv({
      pool: database.pool,
      input: file,
      organisation: values.org,
      kind: values.kind as RequestKind,
      mode: values.mode as RequestMode,
      user: (values.user ?? userInfo().username).slice(0, 35),
      map: parseMapOption(values.map),
      dryRun: values['dry-run'],
    });
    process.stdout.write(
      values.json ? `${jsonText({ file: basename(file), ...report })}\n` : formatReport(file, report),
    );
    return report.rejectedRows === 0 ? 0 : 1;
  } catch (e) {
    if (e instanceof ImportSetupError) return fail(e.message);
    if (e instanceof Error && 'code' in e && (e as { code?: unknown }).code === 'ENOENT')
      return fail(`cannot read ${file}: no such file`);
    throw e;
  } finally {
    await database.close();
  }
}
