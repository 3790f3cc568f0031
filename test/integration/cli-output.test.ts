/**
 * The CLI as a terminal user runs it, in real processes: a reader that stops early (`| head`) ends the
 * output quietly with the command's own exit code, never an EPIPE stack trace; no JSON log line reaches
 * a command's output; and `orgs test` (like show, disable, enable) takes the organisation as `orgs add`
 * did, `--ukprn 10012345`, as the README shows.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as runOrgs } from '../../src/cli/orgs.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const BIN = fileURLToPath(new URL('../../bin/lrs-relay.js', import.meta.url));

let tdb: TestDatabase;
let requestId = 0;
let env: Record<string, string> = {};

beforeAll(async () => {
  tdb = await createTestDatabase();
  const sql = new pg.Client({ connectionString: tdb.url, application_name: 'cli-output-test' });
  await sql.connect();
  try {
    // The password's reference names a variable no process here has: `orgs test` cannot read it.
    await sql.query(
      `insert into lrs.organisation (name, ukprn, password_ref, default_user_name)
       values ('Output College', '10012345', '{"kind":"env","name":"LRS_PASSWORD_UNSET"}', 'nightly')`,
    );
    const r = await sql.query(
      `select lrs.submit_request('10012345', 'find_by_uln', 'S1', $1::jsonb, 'ops', 'single') as id`,
      [JSON.stringify({ uln: '1026893096', givenName: 'Sample', familyName: 'Testname' })],
    );
    requestId = Number(r.rows[0].id);
  } finally {
    await sql.end();
  }
  env = {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: tdb.url,
    // Nothing listens there: the WSDL part of `orgs test` fails at once, as a warning.
    LRS_BASE_URL: 'http://127.0.0.1:1',
    LRS_ALLOW_INSECURE_HTTP: 'true',
  };
});
afterAll(async () => {
  await tdb?.drop();
});

/**
 * Runs `lrs-relay …` in its own process. With `closeStdout` the reader of its output has gone before
 * the first line is written (what `| head -1` does to the lines after the first).
 */
async function cli(args: string[], o: { closeStdout?: boolean } = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  if (o.closeStdout) child.stdout.destroy();
  else child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe('the CLI in a terminal', { timeout: 60_000 }, () => {
  it.each([
    ['requests show N', () => ['requests', 'show', String(requestId)]],
    ['requests list', () => ['requests', 'list']],
  ])('%s into a reader that stopped early ends quietly with exit 0', async (_label, args) => {
    const r = await cli(args(), { closeStdout: true });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('orgs test --ukprn tests that organisation, and no JSON log line reaches the terminal', async () => {
    const r = await cli(['orgs', 'test', '--ukprn', '10012345']);
    expect(r.stdout).toContain('Testing 10012345 (Output College)');
    expect(r.stdout).toMatch(/FAILED \(secret\): .*LRS_PASSWORD_UNSET/);
    expect(r.code).toBe(1);
    for (const line of `${r.stdout}\n${r.stderr}`.split('\n')) expect(line).not.toMatch(/^\s*\{|"level"/);
  });

  it('--ukprn names the organisation by its UKPRN only, once', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const orgs = (args: string[]) =>
      runOrgs(args, {
        stdout: (t) => out.push(t),
        stderr: (t) => err.push(t),
        stdin: Readable.from([]),
        env,
      });
    expect(await orgs(['show', '--ukprn', '10012345'])).toBe(0);
    expect(out.join('\n')).toMatch(/UKPRN:\s+10012345/);
    // The organisation's id is a number too; --ukprn never finds an organisation by it.
    const ids = out.join('\n').match(/Id:\s+(\d+)/);
    expect(await orgs(['show', '--ukprn', ids?.[1] ?? ''])).toBe(1);
    expect(err.at(-1)).toMatch(/no organisation with UKPRN/);
    expect(await orgs(['show', '10012345', '--ukprn', '10012345'])).toBe(2);
    expect(err.join('\n')).toMatch(/name the organisation once/);
    // update reads --ukprn as the new UKPRN, so it still needs ORG.
    expect(await orgs(['update', '--ukprn', '10012345'])).toBe(2);
  });
});
