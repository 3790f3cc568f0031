import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/lrs-relay.js', import.meta.url));

async function lrsRelay(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 20_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('a wrong environment variable', () => {
  it.each([['start'], ['migrate'], ['start', '--role', 'worker']])(
    '`lrs-relay %s` prints one clear line per problem and exits non-zero before starting anything',
    async (...args) => {
      const r = await lrsRelay(args, {
        REDIS_URL: 'localhost:6379',
        LRS_TIMEOUT_MS: 'soon',
        DATABASE_URL: 'mysql://x',
      });
      expect(r.code).toBe(78);
      const lines = r.stderr.trim().split('\n');
      expect(lines.filter((l) => l.includes('configuration:'))).toHaveLength(3);
      expect(r.stderr).toMatch(
        /REDIS_URL="localhost:6379": must be a URL starting with redis:\/\/ or rediss:\/\/ \(example: REDIS_URL=redis:\/\/127\.0\.0\.1:6379\)/,
      );
      expect(r.stderr).toMatch(/LRS_TIMEOUT_MS="soon": must be a whole number/);
      expect(r.stderr).toMatch(/DATABASE_URL="mysql:\/\/x"/);
      expect(r.stderr).toMatch(/nothing was started/);
      expect(r.stdout).toBe('');
    },
  );

  it('an unknown option says which, and where the options of that command are', async () => {
    const r = await lrsRelay(['learner', 'L1', '--bogus'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "lrs-relay learner: Unknown option '--bogus'.\nRun `lrs-relay learner --help` for the options.\n",
    );
  });

  it('an unknown command says so and how to list them', async () => {
    const r = await lrsRelay(['launch'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command "launch".*lrs-relay --help/);
  });
});

describe('the support commands without a usable database', () => {
  it.each([['requests'], ['requests', 'retry'], ['learner'], ['staff']])(
    '`lrs-relay %s --help` prints the usage without reaching the database',
    async (...args) => {
      const r = await lrsRelay([...args, '--help'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage:/);
      expect(r.stderr).toBe('');
    },
  );

  it('a support command says which database it could not reach and what to do, without the password', async () => {
    const r = await lrsRelay(['batches'], {
      DATABASE_URL: 'postgres://nobody:hunter2secret@127.0.0.1:1/none',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^lrs-relay: cannot use the database at 127\.0\.0\.1:1\/none: nothing answers there; start Postgres or set DATABASE_URL/,
    );
    expect(r.stderr).not.toContain('hunter2secret');
  });
});

describe('what the user typed, echoed in an error', () => {
  // Retitles the window and rings the bell, then clears the screen; then a right-to-left override.
  const HOSTILE = '\x1b]0;owned\x07\x1b[2J\u202E';
  // eslint-disable-next-line no-control-regex
  const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

  it.each([
    ['an unknown command', [`x${HOSTILE}`], {}, 2, /unknown command "x\\x1b/],
    ['an unknown option', ['requests', `--x${HOSTILE}`], {}, 2, /Unknown option '--x\\x1b/],
    [
      'an environment value',
      ['migrate'],
      { LRS_TIMEOUT_MS: `soon${HOSTILE}` },
      78,
      /LRS_TIMEOUT_MS="soon\\u001b/,
    ],
  ])('reaches the terminal escaped: %s', async (_what, args, env, code, shown) => {
    const r = await lrsRelay(args, env);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(shown);
    expect(r.stderr).not.toMatch(RAW);
  });
});
