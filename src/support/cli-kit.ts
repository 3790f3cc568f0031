/**
 * Shared pieces of the support CLI commands: the context they run in (database, actor, terminal),
 * plain-text tables, confirmation prompts and progress lines. Commands take a CliContext so tests
 * can run them against a test database with captured output.
 */
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { loadConfig } from '../config.ts';
import { createDatabase } from '../db.ts';
import { createCliActor, type Actor } from './access.ts';
import type { SupportDb } from './actions.ts';

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
export function openCliContext(): CliContext & { close(): Promise<void> } {
  const config = loadConfig();
  const database = createDatabase({
    url: config.DATABASE_URL,
    poolSize: 4,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    applicationName: 'lrs-relay-cli',
  });
  return { db: database, actor: createCliActor(userInfo().username), io: createProcessIo(), close: () => database.close() };
}

/** Runs a command body with a real context and closes the database afterwards. */
export async function withCliContext(fn: (ctx: CliContext) => Promise<number>): Promise<number> {
  const ctx = openCliContext();
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().replace('T', ' ').slice(0, 19);
  return String(v).replace(/\s+/g, ' ');
}

/** A plain-text table: one header line, then rows; long cells are cut at `maxWidth` (default 60). */
export function formatTable<T>(rows: readonly T[], columns: readonly (readonly [string, (row: T) => unknown])[], maxWidth = 60): string[] {
  const cells = rows.map((r) => columns.map(([, get]) => {
    const t = cellText(get(r));
    return t.length > maxWidth ? `${t.slice(0, maxWidth - 1)}…` : t;
  }));
  const widths = columns.map(([h], i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (parts: string[]) => parts.map((p, i) => p.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns.map(([h]) => h)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
}

/** Prints rows as a table, or "none" text when empty. */
export function printTable<T>(io: CliIo, rows: readonly T[], columns: readonly (readonly [string, (row: T) => unknown])[], empty: string): void {
  if (rows.length === 0) io.out(empty);
  else for (const l of formatTable(rows, columns)) io.out(l);
}

/** Splits repeated and comma-separated option values: ["a,b", "c"] → ["a", "b", "c"]. */
export function listOption(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

/** Parses a positive whole number option; throws naming the option. */
export function intOption(name: string, value: string | undefined, def: number): number {
  if (value === undefined) return def;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${name} must be a positive whole number`);
  return n;
}
