/**
 * `lrs-relay conformance <dir> [--json]`: reads every response sample under a folder (names containing
 * `.response` or ending `.html`) with the client's own parser and prints what it recognised.
 * Proves the parser against real captures without any network.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { explainCode, isRetryable } from '../codes/table.ts';
import { isLrsError } from '../lrs/errors.ts';
import { parserForResponseRoot } from '../lrs/operations/index.ts';
import { looksLikeMaintenancePage, readLrsAnswer } from '../lrs/response.ts';
import { errorMessage } from '../errors.ts';
import { terminalJson, terminalText } from './kit.ts';

export interface ConformanceRow {
  file: string;
  operation?: string | undefined;
  code?: string | undefined;
  codeSource?: 'lrs' | 'relay' | undefined;
  class?: string | undefined;
  retryable?: boolean | undefined;
  learners?: number | undefined;
  events?: number | undefined;
  rows?: number | undefined;
  /** VRF failure flags in a verify answer (single or batch): how many, and which, in answer order. */
  flags?: number | undefined;
  flagValues?: string[] | undefined;
  outcome?: string | undefined;
  error?: string | undefined;
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(p)));
    else if (entry.name.includes('.response') || entry.name.endsWith('.html')) out.push(p);
  }
  return out.sort();
}

/** The VRF flags of a verify answer: the one learner's, or every batch row's; undefined for other answers. */
function failureFlags(result: Record<string, unknown>): Pick<ConformanceRow, 'flags' | 'flagValues'> {
  const holders = [result.verified, ...(Array.isArray(result.learners) ? result.learners : [])].filter(
    (x): x is { failureFlags: unknown[] } =>
      typeof x === 'object' && x !== null && Array.isArray((x as { failureFlags?: unknown }).failureFlags),
  );
  if (holders.length === 0) return {};
  const values = holders.flatMap((h) => h.failureFlags.map(String));
  return { flags: values.length, flagValues: values };
}

function counts(result: Record<string, unknown>): Pick<ConformanceRow, 'learners' | 'events' | 'rows'> {
  const len = (k: string) => (Array.isArray(result[k]) ? (result[k] as unknown[]).length : undefined);
  const learners = len('candidates') ?? len('learners') ?? (result.learner ? 1 : undefined);
  return {
    learners: 'ulns' in result ? undefined : learners,
    events: len('events'),
    rows: len('ulns') ?? (result.verified ? 1 : undefined),
  };
}

/** Reads one sample as an HTTP answer. There is no status on disk: an HTML file stands for the HTTP 405 page. */
export function checkSample(file: string, body: string): ConformanceRow {
  const isHtml = file.endsWith('.html') || looksLikeMaintenancePage(body);
  try {
    const soap = readLrsAnswer({ status: isHtml ? 405 : 200, body });
    const entry = parserForResponseRoot(soap.rootName);
    if (!entry) return { file, error: `unrecognised response element ${soap.rootName}` };
    const result = entry.parse(soap) as Record<string, unknown>;
    const code = String(result.code);
    return {
      file,
      operation: entry.operations.join('|'),
      code,
      codeSource: result.codeSource as 'lrs' | 'relay',
      class: String(result.class),
      retryable: isRetryable(explainCode(code)),
      outcome:
        typeof result.outcome === 'string'
          ? result.outcome
          : typeof result.state === 'string'
            ? result.state
            : undefined,
      ...counts(result),
      ...failureFlags(result),
    };
  } catch (e) {
    if (isLrsError(e)) {
      return {
        file,
        operation: e.code === 'LRS_MAINTENANCE' ? 'maintenance' : 'fault',
        code: e.code,
        codeSource: e.codeSource,
        class: e.class,
        retryable: e.retryable,
        error: e.message,
      };
    }
    return { file, error: errorMessage(e) };
  }
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  const dir = positionals[0];
  if (values.help || dir === undefined) {
    console.log('Usage: lrs-relay conformance <dir> [--json]');
    return dir === undefined && !values.help ? 2 : 0;
  }
  const rows: ConformanceRow[] = [];
  for (const file of await listFiles(dir))
    rows.push(checkSample(relative(dir, file), await readFile(file, 'utf8')));
  if (values.json) {
    console.log(terminalJson(JSON.stringify(rows, null, 2)));
  } else {
    for (const r of rows) {
      const n = [
        r.learners !== undefined ? `learners=${r.learners}` : '',
        r.events !== undefined ? `events=${r.events}` : '',
        r.rows !== undefined ? `rows=${r.rows}` : '',
        r.flags !== undefined ? `flags=${r.flags}${r.flags > 0 ? ` (${r.flagValues?.join(',')})` : ''}` : '',
      ]
        .filter(Boolean)
        .join(' ');
      // File names, codes and parse errors come from the samples: each is escaped, the tabs between are ours.
      console.log(
        [r.file, r.operation ?? '-', r.code ?? '-', r.codeSource ?? '-', r.class ?? '-', n]
          .concat(r.error && !r.code ? [`ERROR ${r.error}`] : [])
          .map(terminalText)
          .join('\t'),
      );
    }
  }
  return rows.some((r) => r.code === undefined) ? 1 : 0;
}
