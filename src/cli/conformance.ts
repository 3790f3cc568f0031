/**
 * `lrs-relay conformance <file or folder>… [--json]`: reads every file given, and every file under each
 * folder given, with the client's own parser and prints what it recognised. Real captures are named as
 * their source names them (`exact_match_ful.xml`, `error_down_ful.xml`), so files are judged by what
 * they hold, not by their names: a SOAP answer, a fault or an HTML page is checked; a request envelope,
 * a WSDL or XML Schema, text that is not XML or HTML, a binary or an oversized file is skipped, each with
 * its reason. Exits 1 when nothing was checked or an answer could not be read.
 * Proves the parser against real captures without any network.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { explainCode, isRetryable } from '../codes/table.ts';
import { isLrsError } from '../lrs/errors.ts';
import { MESSAGES, OPERATION_NAMES } from '../lrs/messages.ts';
import { parserForResponseRoot } from '../lrs/operations/index.ts';
import { looksLikeMaintenancePage, MAX_RESPONSE_BYTES, readLrsAnswer } from '../lrs/response.ts';
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
  /** Why the file was not read as an answer (a request, a WSDL, not XML…); absent for a checked file. */
  skipped?: string | undefined;
}

/** Most files listed under the folders given: 100,000 (a folder of captures holds hundreds). */
const MAX_FILES = 100_000;

/** A file found: its path, or why it is not read (not a regular file). */
type Listed = { path: string; skipped?: string };

async function listFiles(path: string, out: Listed[] = []): Promise<Listed[]> {
  if (out.length >= MAX_FILES) throw new Error(`more than ${MAX_FILES} files: give a smaller folder`);
  const info = await lstat(path);
  if (info.isDirectory()) {
    const entries = await readdir(path);
    for (const name of entries.sort()) await listFiles(join(path, name), out);
  } else if (info.isFile()) out.push({ path });
  else
    out.push({
      path,
      skipped: info.isSymbolicLink() ? 'a symbolic link (not followed)' : 'not a regular file',
    });
  return out;
}

/** Request root elements of every operation: a file whose body holds one is a request, not an answer. */
const REQUEST_ROOTS: ReadonlySet<string> = new Set(OPERATION_NAMES.map((n) => MESSAGES[n].root.name));

/** The local name of the first element of an XML text, after the declaration, comments and a DOCTYPE. */
function firstElement(text: string): string | undefined {
  return /^(?:<\?xml[^>]*\?>\s*)?(?:(?:<!--[\s\S]*?-->|<!DOCTYPE[^>]*>)\s*)*<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)/i.exec(
    text,
  )?.[1];
}

/** Why a file is no LRS answer to check, or undefined when it may be one. */
function skipReason(bytes: Buffer): string | undefined {
  if (bytes.includes(0)) return 'binary, not an LRS answer';
  const text = bytes
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (!text.startsWith('<')) return 'not XML or HTML, so not an LRS answer';
  const root = firstElement(text)?.toLowerCase();
  if (root === 'definitions') return 'a WSDL, not an answer';
  if (root === 'schema') return 'an XML Schema, not an answer';
  if (root === 'envelope') {
    const body =
      /<(?:[A-Za-z_][\w.-]*:)?Body\b[^>]*>\s*(?:<!--[\s\S]*?-->\s*)*<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)/.exec(
        text,
      )?.[1];
    if (body !== undefined && REQUEST_ROOTS.has(body)) return `a request (${body}), not an answer`;
  }
  return undefined;
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

const USAGE = 'Usage: lrs-relay conformance <file or folder>... [--json]';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help || positionals.length === 0) {
    console.log(USAGE);
    return positionals.length === 0 && !values.help ? 2 : 0;
  }
  const rows: ConformanceRow[] = [];
  for (const given of positionals) {
    let listed: Listed[];
    try {
      listed = await listFiles(given);
    } catch (e) {
      console.error(terminalText(`conformance: ${given}: ${errorMessage(e)}`));
      return 2;
    }
    for (const f of listed) {
      // Named relative to the folder given; a file given by itself keeps the name it was given by.
      const file = f.path === given ? given : relative(given, f.path);
      if (f.skipped) {
        rows.push({ file, skipped: f.skipped });
        continue;
      }
      const size = (await lstat(f.path)).size;
      if (size > MAX_RESPONSE_BYTES) {
        rows.push({
          file,
          skipped: `larger than ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB, the most the client reads of one answer`,
        });
        continue;
      }
      const bytes = await readFile(f.path);
      const skipped = skipReason(bytes);
      rows.push(skipped ? { file, skipped } : checkSample(file, bytes.toString('utf8')));
    }
  }
  const checked = rows.filter((r) => r.skipped === undefined);
  if (values.json) {
    console.log(terminalJson(JSON.stringify(rows, null, 2)));
  } else {
    for (const r of rows) {
      if (r.skipped !== undefined) {
        console.log([r.file, 'SKIPPED', r.skipped].map(terminalText).join('\t'));
        continue;
      }
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
    const failed = checked.filter((r) => r.code === undefined).length;
    console.log(
      `Checked ${checked.length} file(s)${failed > 0 ? `, ${failed} not readable as an answer` : ''}; skipped ${rows.length - checked.length}.`,
    );
  }
  if (checked.length === 0) {
    console.error(
      `conformance: nothing was checked (${rows.length} file(s) found, none an LRS answer): give files or folders of SOAP answers, faults or HTML pages`,
    );
    return 1;
  }
  return checked.some((r) => r.code === undefined) ? 1 : 0;
}
