/**
 * The `lrs-relay call` and `lrs-relay conformance` commands as an operator runs them: a child process of
 * bin/lrs-relay.js, talking to an in-process simulator on 127.0.0.1 (plain HTTP, allowed explicitly).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../../src/simulator/index.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin/lrs-relay.js');
const SIM_PASSWORD = 'Simulator-Pass16';

interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; never rejects on a non-zero exit (that is what some tests expect). */
function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          LOG_LEVEL: 'silent',
          LRS_ALLOW_INSECURE_HTTP: 'true',
          LRS_ORG_PASSWORD: SIM_PASSWORD,
          ...env,
        },
        timeout: 30_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ exitCode: code, stdout, stderr });
      },
    );
  });
}

const parseJson = (r: CliResult): Record<string, unknown> => {
  try {
    return JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`stdout is not one JSON object (exit ${r.exitCode}):\n${r.stdout}\n${r.stderr}`);
  }
};

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('lrs-relay call', () => {
  let sim: Simulator;
  let dir: string;
  const input = (name: string) => join(dir, name);
  const call = (file: string, endpoint: string, env?: Record<string, string>) =>
    cli(
      [
        'call',
        'learnerByDemographics',
        '--input',
        input(file),
        '--ukprn',
        '10000001',
        '--user',
        'tester',
        '--endpoint',
        endpoint,
        '--json',
      ],
      env,
    );

  beforeAll(async () => {
    sim = await createSimulator({ port: 0, host: '127.0.0.1' }).listen();
    dir = await mkdtemp(join(tmpdir(), 'lrs-relay-cli-'));
    await writeFile(
      input('nobody.json'),
      JSON.stringify({
        familyName: 'Nobodyknown',
        givenName: 'Zebedee',
        dateOfBirth: '1999-12-31',
        gender: '1',
        lastKnownPostCode: 'CV4 9EE',
      }),
    );
    await writeFile(
      input('bad-gender.json'),
      JSON.stringify({
        familyName: 'Testname',
        givenName: 'Sample',
        dateOfBirth: '1976-08-16',
        gender: '7',
        lastKnownPostCode: 'CV4 9EE',
      }),
    );
  });

  afterAll(async () => {
    await sim?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('prints one JSON object with code, codeSource, class and retryable, and exits 0', async () => {
    const r = await call('nobody.json', sim.url);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = parseJson(r);
    expect(out).toMatchObject({
      code: 'WSRC0001',
      codeSource: 'lrs',
      class: 'outcome',
      retryable: false,
      outcome: 'no_match',
      operation: 'learnerByDemographics',
    });
    expect(sim.admin.stats().calls).toMatchObject({ learnerByDemographics: expect.any(Number) as number });
  }, 30_000);

  it('exits 0 for an LRS fault too: the LRS answered (wrong organisation password → WSEC0005)', async () => {
    const r = await call('nobody.json', sim.url, { LRS_ORG_PASSWORD: 'Wrong-Password16' });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(parseJson(r)).toMatchObject({ code: 'WSEC0005', codeSource: 'lrs', retryable: false });
  }, 30_000);

  it('refuses a bad input before sending, lists the field problem, exits non-zero', async () => {
    const before = sim.admin.stats().calls.learnerByDemographics ?? 0;
    const r = await call('bad-gender.json', sim.url);
    expect(r.exitCode).not.toBe(0);
    const out = parseJson(r);
    expect(out).toMatchObject({ code: 'LOCAL_VALIDATION', codeSource: 'relay', retryable: false });
    expect(out.problems).toEqual([expect.objectContaining({ field: 'gender' })]);
    expect(String(out.message)).toMatch(/gender/);
    expect(sim.admin.stats().calls.learnerByDemographics ?? 0).toBe(before);
  }, 30_000);

  it("prints the LRS's text with direction controls escaped, as JSON and as an object", async () => {
    // A fault whose FurtherDetails turns the rest of the line around (U+202E) and isolates text (U+2066).
    sim.admin.setFaults({ faultDetails: 'name \u202etxt.exe\u2066 refused', operations: [] });
    try {
      const json = await call('nobody.json', sim.url);
      const text = await cli([
        'call',
        'learnerByDemographics',
        '--input',
        input('nobody.json'),
        '--ukprn',
        '10000001',
        '--user',
        'tester',
        '--endpoint',
        sim.url,
      ]);
      for (const r of [json, text]) {
        expect(r.stdout).toContain('WSEC0001');
        expect(r.stdout).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u0080-\u009f]/);
        expect(r.stdout).toContain('\\u202etxt.exe\\u2066 refused');
      }
      expect(parseJson(json)).toMatchObject({ furtherDetails: 'name \u202etxt.exe\u2066 refused' });
    } finally {
      sim.admin.setFaults({ faultDetails: '' });
    }
  }, 30_000);

  it('reports CONNECTION_FAILED for a closed port and exits non-zero', async () => {
    const port = await closedPort();
    const r = await call('nobody.json', `http://127.0.0.1:${port}`);
    expect(r.exitCode).not.toBe(0);
    expect(parseJson(r)).toMatchObject({ code: 'CONNECTION_FAILED', codeSource: 'relay', retryable: true });
  }, 30_000);
});

describe('lrs-relay conformance', () => {
  it("prints a sample's name and parse error with control characters escaped, as text and JSON", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lrs-relay-conformance-'));
    try {
      await writeFile(join(dir, 'evil\u202etxt.exe\x1b[2J.response.xml'), '<not-soap>\u202e\x9b</not-soap>');
      for (const args of [[], ['--json']]) {
        const r = await cli(['conformance', dir, ...args]);
        expect(r.stdout).toContain('evil\\u202etxt.exe');
        // eslint-disable-next-line no-control-regex
        expect(r.stdout).not.toMatch(/[\u001b\u0080-\u009f\u202a-\u202e\u2066-\u2069]/);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('recognises every response fixture of the project, with the code each carries, and exits 0', async () => {
    const r = await cli(['conformance', 'test/fixtures/lrs', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{
      file: string;
      operation?: string;
      code?: string;
      codeSource?: string;
      class?: string;
      error?: string;
      skipped?: string;
    }>;

    const responseDir = join(ROOT, 'test/fixtures/lrs/responses');
    const files = (await readdir(responseDir)).map((f) => `responses/${f}`);
    const checked = rows.filter((x) => x.skipped === undefined);
    expect(checked.map((x) => x.file).sort()).toEqual(files.sort());
    // The request fixtures are read too, and skipped as requests.
    const requests = (await readdir(join(ROOT, 'test/fixtures/lrs/requests'))).map((f) => `requests/${f}`);
    expect(
      rows
        .filter((x) => x.skipped !== undefined)
        .map((x) => x.file)
        .sort(),
    ).toEqual(requests.sort());
    expect(
      rows.every((x) => x.skipped === undefined || /^a request \(\w+\), not an answer$/.test(x.skipped)),
    ).toBe(true);

    for (const row of checked) {
      expect(row.operation, `${row.file}: ${row.error ?? ''}`).toBeDefined();
      expect(row.code, row.file).toBeDefined();
      expect(row.codeSource, row.file).toMatch(/^(lrs|relay)$/);
      expect(row.class, row.file).toBeDefined();
      const named = /(WSRC\d{4}|WSEC\d{4}|WSVRC\d{3})/.exec(row.file)?.[1];
      if (named) expect(row.code, row.file).toBe(named);
    }
    const byFile = Object.fromEntries(rows.map((x) => [x.file, x.code]));
    expect(byFile['responses/maintenance.html']).toBe('LRS_MAINTENANCE');
    expect(byFile['responses/hostile-external-entity.response.xml']).toBe('MALFORMED_RESPONSE');
    expect(byFile['responses/find-unknown-code.response.xml']).toBe('WSRC0099');
  }, 30_000);

  it('reads files named as their source names them, says which it skipped and why, and exits 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lrs-relay-conformance-'));
    const fixture = (f: string) => readFile(join(ROOT, 'test/fixtures/lrs', f), 'utf8');
    try {
      await mkdir(join(dir, 'FindLearnerByDemographics'));
      await writeFile(
        join(dir, 'FindLearnerByDemographics/exact_match_ful.xml'),
        await fixture('responses/find-exact.response.xml'),
      );
      await writeFile(join(dir, 'down_page'), await fixture('responses/maintenance.html'));
      await writeFile(
        join(dir, 'register_request.xml'),
        await fixture('requests/registerSingleLearner.request.xml'),
      );
      await writeFile(join(dir, 'README.md'), '# captures\n');
      await writeFile(join(dir, 'photo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]));
      const r = await cli(['conformance', dir]);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout.trim().split('\n')).toEqual([
        'FindLearnerByDemographics/exact_match_ful.xml\tlearnerByUln|learnerByDemographics\tWSRC0004\tlrs\tsuccess\tlearners=1',
        'README.md\tSKIPPED\tnot XML or HTML, so not an LRS answer',
        'down_page\tmaintenance\tLRS_MAINTENANCE\trelay\tretryable\t',
        'photo.png\tSKIPPED\tbinary, not an LRS answer',
        'register_request.xml\tSKIPPED\ta request (RegisterLearner), not an answer',
        'Checked 2 file(s); skipped 3.',
      ]);
      // A file given by itself is read whatever its name.
      const one = await cli([
        'conformance',
        join(dir, 'FindLearnerByDemographics/exact_match_ful.xml'),
        '--json',
      ]);
      expect(one.exitCode).toBe(0);
      expect(parseJson({ ...one, stdout: `{"rows":${one.stdout}}` }).rows).toMatchObject([
        { code: 'WSRC0004' },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('exits 1 and says so when nothing was checked', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lrs-relay-conformance-'));
    try {
      await writeFile(join(dir, 'SOURCES.md'), 'where the captures came from\n');
      await writeFile(
        join(dir, 'find.xml'),
        await readFile(join(ROOT, 'test/fixtures/lrs/requests/learnerByUln.request.xml')),
      );
      const r = await cli(['conformance', dir]);
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toContain('Checked 0 file(s); skipped 2.');
      expect(r.stderr).toContain('conformance: nothing was checked (2 file(s) found, none an LRS answer)');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
