import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/lrs-relay.js', import.meta.url));

/** Runs `lrs-relay simulator …` expecting it to refuse to start; returns its exit code and stderr. */
function refusal(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'simulator', ...args], { timeout: 20_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr });
    });
  });
}

describe('lrs-relay simulator: start-up errors a user can meet', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sim-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('says the port is in use and how to pick another', async () => {
    const holder = createServer().listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const { port } = holder.address() as AddressInfo;
    try {
      const r = await refusal(['--port', String(port)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(r.stderr).toContain('--port 0');
    } finally {
      holder.close();
    }
  });

  it('names the --orgs file and what is wrong with it', async () => {
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '[{"ukprn": "1"');
    expect((await refusal(['--orgs', broken])).stderr).toContain(`${broken} is not valid JSON`);
    const single = join(dir, 'single.json');
    await writeFile(single, '{"ukprn": "10000001", "password": "Simulator-Pass16"}');
    expect((await refusal(['--orgs', single])).stderr).toMatch(
      /single\.json: organisations: expected a non-empty JSON list such as \[/,
    );
  });
});
