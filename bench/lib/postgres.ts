/**
 * A private Postgres cluster for a benchmark: initdb in a temporary directory, started on a free port
 * with pg_stat_statements preloaded (a shared server may not load it, and loading it needs a restart)
 * and the settings the benchmark asks for, so its figures do not depend on how the shared server was
 * tuned. Uses the server binaries of `pg_config --bindir`. Postgres refuses to run as root: as root, the
 * cluster runs as the `postgres` user.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PrivatePostgres {
  /** Admin URL (database postgres, user postgres, trust). */
  adminUrl: string;
  settings: Record<string, string>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

/** `settings` are passed as `-c name=value` (e.g. shared_buffers, max_wal_size, autovacuum). */
export async function startPrivatePostgres(settings: Record<string, string> = {}): Promise<PrivatePostgres> {
  const bin = execFileSync('pg_config', ['--bindir']).toString().trim();
  const dir = mkdtempSync(join(tmpdir(), 'lrs-bench-pg-'));
  const data = join(dir, 'data');
  const user = runAs();
  if (user) chownSync(dir, user.uid, user.gid);
  const opts = { ...(user ?? {}), stdio: 'ignore' as const };
  execFileSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
    {
      ...opts,
      cwd: dir,
    },
  );
  const port = await freePort();
  const all: Record<string, string> = {
    shared_preload_libraries: 'pg_stat_statements',
    'pg_stat_statements.max': '1000',
    'pg_stat_statements.track': 'all',
    ...settings,
  };
  const args = ['-D', data, '-p', String(port), '-k', dir, '-h', '127.0.0.1'];
  for (const [k, v] of Object.entries(all)) args.push('-c', `${k}=${v}`);
  const child = spawn(join(bin, 'postgres'), args, { ...opts, cwd: dir });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`the private postgres exited (${code ?? 'signal'})`))),
  );
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      execFileSync(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
      break;
    } catch {
      if (Date.now() > deadline) throw new Error('the private postgres did not start in 60 s');
      await Promise.race([new Promise((r) => setTimeout(r, 200)), exited]);
    }
  }
  exited.catch(() => {});
  return {
    adminUrl,
    settings: all,
    async stop() {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
