import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, retiredSettingsIn } from '../../src/config.ts';

describe('loadConfig', () => {
  it('gives working defaults and derives the three LRS endpoints', () => {
    const c = loadConfig({});
    expect(c.lrsEndpoints.learnerService).toBe('https://ws.lrs.education.gov.uk/LearnerService.svc');
    expect(c.LRS_ALLOW_INSECURE_HTTP).toBe(false);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads "false" as false (never z.coerce.boolean)', () => {
    expect(loadConfig({ LRS_ALLOW_INSECURE_HTTP: 'false' }).LRS_ALLOW_INSECURE_HTTP).toBe(false);
    expect(loadConfig({ LRS_ALLOW_INSECURE_HTTP: 'true' }).LRS_ALLOW_INSECURE_HTTP).toBe(true);
  });

  it('reports one line per bad variable, naming it, what is wrong and an example', () => {
    let error: unknown;
    try {
      loadConfig({
        REDIS_URL: 'localhost:6379',
        WORKER_CONCURRENCY: 'lots',
        LRS_ALLOW_INSECURE_HTTP: 'yes',
        SECRETS_KEY: 'abc',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.find((p) => p.startsWith('REDIS_URL='))).toMatch(
      /redis:\/\/.*example: REDIS_URL=redis:\/\/127\.0\.0\.1:6379/,
    );
    expect(problems.find((p) => p.startsWith('WORKER_CONCURRENCY='))).toMatch(/whole number/);
    expect(problems.find((p) => p.startsWith('LRS_ALLOW_INSECURE_HTTP='))).toMatch(/"true" or "false"/);
    // A secret's value is never echoed.
    expect(problems.find((p) => p.startsWith('SECRETS_KEY='))).toMatch(/^SECRETS_KEY=\(hidden\)/);
  });

  it('keeps personal data of finished requests 90 days and learning events 30 by default; refuses 0 days', () => {
    const c = loadConfig({});
    expect([c.RETENTION_REQUEST_DAYS, c.RETENTION_LEARNING_EVENT_DAYS]).toEqual([90, 30]);
    expect(() => loadConfig({ RETENTION_REQUEST_DAYS: '0' })).toThrow(
      /RETENTION_REQUEST_DAYS="0": must be at least 1/,
    );
  });

  it('refuses REDIS_CLUSTER_NODES with QUEUE_BACKEND=postgres instead of ignoring the cluster', () => {
    const nodes = { REDIS_CLUSTER_NODES: '10.0.0.11:6379,10.0.0.12:6379' };
    expect(() => loadConfig({ ...nodes, QUEUE_BACKEND: 'postgres' })).toThrow(
      /REDIS_CLUSTER_NODES="10\.0\.0\.11:6379,10\.0\.0\.12:6379": is set but QUEUE_BACKEND=postgres .*unset REDIS_CLUSTER_NODES, or set QUEUE_BACKEND=redis/,
    );
    expect(loadConfig({ ...nodes, QUEUE_BACKEND: 'redis' }).REDIS_CLUSTER_NODES).toHaveLength(2);
    expect(loadConfig({ QUEUE_BACKEND: 'postgres' }).QUEUE_BACKEND).toBe('postgres');
  });
});

describe('retired settings', () => {
  it('names a setting this version no longer reads, and what took its place', () => {
    const env = { BATCH_RETRY_DELAY_MS: '60000', BATCH_WINDOW_MS: '1000' };
    // Still a working configuration: an old environment file must not stop the relay.
    expect(() => loadConfig(env)).not.toThrow();
    expect(retiredSettingsIn(env)).toEqual([
      expect.stringMatching(
        /^BATCH_RETRY_DELAY_MS is set but no longer used: .*retry policy.*remove the setting$/,
      ),
    ]);
    expect(retiredSettingsIn({ BATCH_WINDOW_MS: '1000', BATCH_RETRY_DELAY_MS: '' })).toEqual([]);
  });
});

describe('.env.example', () => {
  it('documents every variable the configuration reads', async () => {
    const { readFile } = await import('node:fs/promises');
    const { CONFIG_KEYS } = await import('../../src/config.ts');
    const text = await readFile(new URL('../../.env.example', import.meta.url), 'utf8');
    const documented = new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(CONFIG_KEYS.filter((k) => !documented.has(k))).toEqual([]);
  });
});
