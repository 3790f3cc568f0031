/**
 * Shared pieces of the support CLI commands: the context they run in (database, actor, terminal),
 * plain-text tables, confirmation prompts and progress lines. Commands take a CliContext so tests
 * can run them against a test database with captured output.
 */
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { loadConfig } from '../config.ts';
import { createDatabase } from '../db/pool.ts';
import { createLogger, type LevelWithSilent, type Logger } from '../log.ts';
import { createCliActor, type Actor } from '../support/access.ts';
import type { SupportDb } from '../db/pool.ts';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** True when a person is at the terminal (prompts and progress lines are shown). */
  isInteractive: boolean;
  /** Asks a question on the terminal and returns the answer. */
  ask(question: string): Promise<string>;
  /** Reads a secret: from the terminal without echo, or the first line of piped stdin. */
  readSecret(prompt: string): Promise<string>;
  /** Writes a progress line that the next one replaces (terminal only). */
  progress(line: string): void;
}

export interface CliContext {
  db: SupportDb;
  actor: Actor;
  io: CliIo;
}

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The real terminal. */
export function createProcessIo(): CliIo {
  const isInteractive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    isInteractive,
    async ask(question) {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
    async readSecret(prompt) {
      if (!process.stdin.isTTY) return (await readAllStdin()).split(/\r?\n/)[0] ?? '';
      const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
      // Mute echo: readline writes typed characters through _writeToOutput.
      const muted = rl as unknown as { _writeToOutput: (s: string) => void };
      process.stderr.write(prompt);
      muted._writeToOutput = () => {};
      try {
        return await rl.question('');
      } finally {
        rl.close();
        process.stderr.write('\n');
      }
    },
    progress(line) {
      if (isInteractive) process.stderr.write(`\r\x1b[K${line}`);
    },
  };
}

/** Opens the database from the environment for one CLI command; the caller closes it. */
export function openCliContext(): CliContext & { close(): Promise<void>; databaseUrl: string } {
  const config = loadConfig();
  const database = createDatabase({
    url: config.DATABASE_URL,
    poolSize: 4,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    applicationName: 'lrs-relay-cli',
  });
  return {
    db: database,
    actor: createCliActor(userInfo().username),
    io: createProcessIo(),
    close: () => database.close(),
    databaseUrl: config.DATABASE_URL,
  };
}

/** Error codes (node and Postgres) that mean the database named by DATABASE_URL cannot be used, and what to do. */
const DATABASE_PROBLEMS: Record<string, string> = {
  ECONNREFUSED: 'nothing answers there; start Postgres or set DATABASE_URL to where it runs',
  ENOTFOUND: 'that host name is unknown; correct the host in DATABASE_URL',
  EAI_AGAIN: 'that host name could not be looked up; check DNS or the host in DATABASE_URL',
  ETIMEDOUT: 'the connection timed out; check the host and port in DATABASE_URL and the firewall',
  '28P01': 'the password was refused; correct the user or password in DATABASE_URL',
  '28000': 'the connection was refused for that user; check DATABASE_URL and pg_hba.conf',
  '3D000': 'that database does not exist; create it or correct DATABASE_URL',
  '3F000': 'the lrs schema is missing; run `lrs-relay migrate`',
  '42P01': 'the lrs tables are missing; run `lrs-relay migrate`',
};

/**
 * When `e` says the database cannot be used (not running, wrong host, password refused, not
 * migrated), an error naming where it looked (host, port, database; never the password) and what
 * to do; otherwise undefined.
 */
export function explainDatabaseError(e: unknown, databaseUrl: string): Error | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  const problem = typeof code === 'string' ? DATABASE_PROBLEMS[code] : undefined;
  if (problem === undefined) return undefined;
  let where = 'DATABASE_URL';
  try {
    const u = new URL(databaseUrl);
    where = `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    // Config already checked the URL; keep the generic name if it still does not parse.
  }
  const detail = e instanceof Error && e.message !== '' ? ` (${e.message.split('\n')[0]})` : '';
  return new Error(`cannot use the database at ${where}: ${problem}${detail}`, { cause: e });
}

/** Runs a command body with a real context and closes the database afterwards. */
export async function withCliContext(fn: (ctx: CliContext) => Promise<number>): Promise<number> {
  const ctx = openCliContext();
  try {
    return await fn(ctx);
  } catch (e) {
    throw explainDatabaseError(e, ctx.databaseUrl) ?? e;
  } finally {
    await ctx.close();
  }
}

/**
 * What a terminal would obey, or use to hide or reorder text, rather than print: C0 controls (ESC, BEL,
 * CR, line breaks, tab), DEL, C1 controls (0x9b is CSI on 8-bit terminals), the line and paragraph
 * separators, lone surrogates, and every Unicode format character (category Cf): the direction controls
 * (U+202E turns the rest of the line around, U+061C the Arabic letter mark, U+2066–U+2069 the isolates),
 * the zero-width characters (U+200B–U+200D, U+2060, U+FEFF), the interlinear annotation characters
 * (U+FFF9–U+FFFB, which hide the text between them) and the tag characters (U+E0001, U+E0020–U+E007F).
 * By category rather than by list, so a format character added to Unicode later is escaped too.
 */
const TERMINAL_CONTROL = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu;

/** TERMINAL_CONTROL but tab, line feed and carriage return, which JSON text may hold between its values. */
const JSON_UNSAFE = /[^\P{Cc}\t\n\r]|[\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu;

/** `\x1b`, `\u202e`, or `\u{e0041}` beyond the Basic Multilingual Plane. */
function escapeCodePoint(c: string): string {
  const n = c.codePointAt(0) ?? 0;
  if (n <= 0xff) return `\\x${n.toString(16).padStart(2, '0')}`;
  return n <= 0xffff ? `\\u${n.toString(16).padStart(4, '0')}` : `\\u{${n.toString(16)}}`;
}

/**
 * Stored text as a terminal may show it: every control, format and direction character becomes a
 * visible escape (`\x1b`, `\u202e`, `\u200b`), so a name holding ESC or BEL cannot move the cursor,
 * retitle the window or hide what follows, and one holding U+202E or U+200B cannot reorder or disguise
 * itself. Every CLI formatter of stored text goes through this (tables through formatTable, lines
 * through `terminalLine`). Dates print as `yyyy-MM-dd HH:mm:ss`.
 */
export function terminalText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().replace('T', ' ').slice(0, 19);
  return String(v).replace(TERMINAL_CONTROL, escapeCodePoint);
}

const LEVEL_WORDS: [number, string][] = [
  [50, 'error'],
  [40, 'warning'],
  [30, 'note'],
  [0, 'debug'],
];

/**
 * The logger a CLI command hands to the code it runs (the organisation directory, the LRS clients,
 * ULN acquisition). A JSON log line has no place among a command's output, so each record becomes
 * one plain line on stderr, `lrs-relay call: warning: …`, its message escaped like all CLI text (the
 * record's other fields are left out: they are for log collectors, and redacted there anyway).
 * `silent` for a command that reports everything those paths would log in its own words.
 */
export function createCliLogger(
  command: string,
  level: LevelWithSilent = 'warn',
  writeLine: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Logger {
  return createLogger(
    { level, name: `lrs-relay ${command}` },
    {
      write(json: string) {
        const record = JSON.parse(json) as { level?: number; msg?: unknown };
        const word = LEVEL_WORDS.find(([n]) => (record.level ?? 0) >= n)?.[1] ?? 'note';
        writeLine(`lrs-relay ${command}: ${word}: ${terminalText(record.msg)}`);
      },
    },
  );
}

/**
 * A template tag for output lines: every interpolated value passes through terminalText, the
 * literal parts (our own words) are kept. `terminalLine\`  staff note  ${r.staffNote}\``.
 */
export function terminalLine(parts: TemplateStringsArray, ...values: unknown[]): string {
  return parts.reduce(
    (line, part, i) => line + part + (i < values.length ? terminalText(values[i]) : ''),
    '',
  );
}

/**
 * JSON text made safe for a terminal. JSON.stringify escapes C0 controls and lone surrogates only; DEL,
 * C1, the separators and the format and direction characters (those of terminalText) would reach the
 * terminal raw, so they are written as `\uXXXX` (a pair of them beyond the Basic Multilingual Plane).
 * They can only stand inside JSON strings, so the JSON value stays the same. Tab and line breaks are
 * kept: outside strings they are JSON's own whitespace (inside, JSON.stringify has escaped them). For
 * JSON written in pieces (learner export).
 */
export function terminalJson(json: string): string {
  return json.replace(JSON_UNSAFE, (c) =>
    [...Array(c.length).keys()].map((i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''),
  );
}

/** `--json` output: JSON.stringify through terminalJson. */
export function jsonText(v: unknown): string {
  return terminalJson(JSON.stringify(v));
}

function cellText(v: unknown): string {
  // Whitespace runs (tabs, line breaks) keep a table's rows one line each; then the rest is escaped.
  return terminalText(typeof v === 'string' ? v.replace(/[ \t\r\n]+/g, ' ') : v);
}

/** A plain-text table: one header line, then rows; long cells are cut at `maxWidth` (default 60). */
export function formatTable<T>(
  rows: readonly T[],
  columns: readonly (readonly [string, (row: T) => unknown])[],
  maxWidth = 60,
): string[] {
  const cells = rows.map((r) =>
    columns.map(([, get]) => {
      const t = cellText(get(r));
      return t.length > maxWidth ? `${t.slice(0, maxWidth - 1)}…` : t;
    }),
  );
  const widths = columns.map(([h], i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (parts: string[]) =>
    parts
      .map((p, i) => p.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(columns.map(([h]) => h)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
}

/** Prints rows as a table, or "none" text when empty. */
export function printTable<T>(
  io: CliIo,
  rows: readonly T[],
  columns: readonly (readonly [string, (row: T) => unknown])[],
  empty: string,
): void {
  if (rows.length === 0) io.out(empty);
  else for (const l of formatTable(rows, columns)) io.out(l);
}

/** Splits repeated and comma-separated option values: ["a,b", "c"] → ["a", "b", "c"]. */
export function listOption(values: string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** Parses a positive whole number option; throws naming the option. */
export function intOption(name: string, value: string | undefined, def: number): number {
  if (value === undefined) return def;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${name} must be a positive whole number`);
  return n;
}
