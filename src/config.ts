/**
 * The one place that reads process.env. Parsed once at start-up, frozen, passed on.
 * A bad value stops start-up with one line per problem naming the variable, what is wrong and an example.
 */
import { z } from 'zod';

/** The roles a relay process can run (`lrs-relay start --role …`). */
export const ROLES = ['producer', 'worker', 'scheduler', 'dashboard'] as const;
export type Role = (typeof ROLES)[number];

const bool = (def: 'true' | 'false') =>
  z
    .enum(['true', 'false'], { message: 'must be "true" or "false"' })
    .default(def)
    .transform((v) => v === 'true');

const int = (def: number, min: number, max: number) =>
  z.coerce
    .number({ message: 'must be a whole number' })
    .int({ message: 'must be a whole number' })
    .min(min, { message: `must be at least ${min}` })
    .max(max, { message: `must be at most ${max}` })
    .default(def);

const url = (protocols: string[], def?: string) => {
  const s = z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );
  return def === undefined ? s : s.default(def);
};

/** Every variable, its default and an example of a right value (used in error messages and .env.example). */
export const ENV_EXAMPLES: Record<string, string> = {
  DATABASE_URL: 'postgres://lrs:secret@127.0.0.1:5432/mis',
  REDIS_URL: 'redis://127.0.0.1:6379',
  REDIS_CLUSTER_NODES: '10.0.0.11:6379,10.0.0.12:6379,10.0.0.13:6379',
  QUEUE_BACKEND: 'redis',
  QUEUE_SCHEMA: 'lrs_queue',
  QUEUE_PREFIX: 'lrs',
  LOG_LEVEL: 'info',
  LRS_BASE_URL: 'https://ws.lrs.education.gov.uk',
  LRS_LEARNER_SERVICE_URL: 'https://ws.lrs.education.gov.uk/LearnerService.svc',
  LRS_LEARNER_SERVICE_R9_URL: 'https://ws.lrs.education.gov.uk/LearnerServiceR9.svc',
  LRS_EXTERNAL_SERVICE_URL: 'https://ws.lrs.education.gov.uk/ExternalService.svc',
  LRS_ALLOW_INSECURE_HTTP: 'false',
  LRS_TIMEOUT_MS: '20000',
  LRS_CONNECT_TIMEOUT_MS: '5000',
  WORKER_CONCURRENCY: '16',
  RATE_LIMIT_PER_SECOND: '50',
  BATCH_WINDOW_MS: '60000',
  DASHBOARD_PORT: '8080',
  HEALTH_PORT: '8081',
  REQUIRED_ROLES: 'producer,worker,scheduler,dashboard',
  METRICS_PUBLIC: 'false',
  TRUST_PROXY: 'false',
  SECRETS_KEY: '<64 hex characters: openssl rand -hex 32>',
};

const schema = z.object({
  DATABASE_URL: url(['postgres:', 'postgresql:'], 'postgres://postgres@127.0.0.1:5432/lrs_relay'),
  /** Statement timeout for every SQL statement, ms. */
  DATABASE_STATEMENT_TIMEOUT_MS: int(30_000, 100, 3_600_000),
  DATABASE_POOL_SIZE: int(10, 1, 200),
  REDIS_URL: url(['redis:', 'rediss:'], 'redis://127.0.0.1:6379'),
  /**
   * Redis Cluster start-up nodes, `host:port,host:port,…` (a few are enough; the rest are discovered).
   * When set, the queues use ioredis's Cluster client and REDIS_URL only lends its user name, password
   * and TLS (rediss:) to every node.
   */
  REDIS_CLUSTER_NODES: z
    .string()
    .transform((v, ctx) => {
      const nodes = v
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean)
        .map((n) => {
          const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(n);
          const port = Number(m?.[2]);
          return m?.[1] && port > 0 && port < 65_536 ? { host: m[1].replace(/^\[|\]$/g, ''), port } : null;
        });
      if (nodes.length === 0 || nodes.some((n) => n === null)) {
        ctx.addIssue({ code: 'custom', message: 'must be a comma-separated list of host:port' });
        return z.NEVER;
      }
      return nodes as { host: string; port: number }[];
    })
    .optional(),
  /**
   * Where BullMQ keeps the queues: "redis" (REDIS_URL) or "postgres" (BullMQ's own Postgres backend, in
   * QUEUE_SCHEMA of DATABASE_URL; no Redis connection is opened). See docs/deployment.md.
   */
  QUEUE_BACKEND: z.enum(['redis', 'postgres'], { message: 'must be "redis" or "postgres"' }).default('redis'),
  /** Postgres schema of the queues when QUEUE_BACKEND=postgres; created by `lrs-relay migrate`. */
  QUEUE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'must be a lower-case Postgres name (letters, digits, _)' })
    .default('lrs_queue'),
  /** BullMQ key prefix; each queue's keys are hash-tagged ({prefix:queue}) into one Redis Cluster slot. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,40}$/, { message: 'must be 1–40 letters, digits or _ . : -' })
    .default('lrs'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LRS_BASE_URL: url(['https:', 'http:'], 'https://ws.lrs.education.gov.uk'),
  LRS_LEARNER_SERVICE_URL: url(['https:', 'http:']).optional(),
  LRS_LEARNER_SERVICE_R9_URL: url(['https:', 'http:']).optional(),
  LRS_EXTERNAL_SERVICE_URL: url(['https:', 'http:']).optional(),
  /** Plain http:// is refused unless this is "true" (for the simulator). */
  LRS_ALLOW_INSECURE_HTTP: bool('false'),
  LRS_TIMEOUT_MS: int(20_000, 100, 600_000),
  LRS_CONNECT_TIMEOUT_MS: int(5_000, 100, 120_000),
  LRS_VENDOR_ID: int(0, 0, 2_147_483_647),
  /** Jobs one worker process runs at once (single-call queue). */
  WORKER_CONCURRENCY: int(16, 1, 1000),
  /**
   * How long a worker's claim on a job lasts without renewal, ms. A worker that dies (SIGKILL, power loss)
   * gives its jobs back after about this long.
   */
  WORKER_LOCK_DURATION_MS: int(30_000, 1_000, 600_000),
  /** Global cap on LRS calls per second across all processes, per queue. */
  RATE_LIMIT_PER_SECOND: int(50, 1, 100_000),
  /** How long the oldest batch-mode request may wait before a partial batch is submitted, ms. */
  BATCH_WINDOW_MS: int(60_000, 0, 86_400_000),
  BATCH_LIMIT_REGISTRATION: int(200, 1, 100_000),
  BATCH_LIMIT_VERIFY: int(5_000, 1, 100_000),
  BATCH_LIMIT_ACHIEVEMENT: int(10_000, 1, 100_000),
  /** Pending requests of one organisation and kind above which `auto` mode uses batches. */
  AUTO_BATCH_THRESHOLD: int(500, 1, 10_000_000),
  /** How often the batch assembler looks for pending batch work, ms. */
  BATCH_ASSEMBLE_INTERVAL_MS: int(2_000, 50, 600_000),
  /** Batch submit/poll jobs one process runs at once. */
  BATCH_CONCURRENCY: int(4, 1, 100),
  /** First wait before polling a submitted batch, ms; doubles per poll up to BATCH_POLL_MAX_MS. */
  BATCH_POLL_INITIAL_MS: int(15_000, 0, 3_600_000),
  BATCH_POLL_MAX_MS: int(300_000, 10, 86_400_000),
  /** A batch still not finished (or unreadable) this long after submission is given up as lost, ms. */
  BATCH_POLL_GIVE_UP_MS: int(172_800_000, 1_000, 2_592_000_000),
  /** How often the batch sweep re-creates lost submit/poll jobs, ms. */
  BATCH_SWEEP_INTERVAL_MS: int(30_000, 500, 86_400_000),
  /** Learner results written per transaction when a batch's output is fanned out. */
  BATCH_FANOUT_CHUNK: int(1_000, 1, 50_000),
  /** Rows read from ACQUIRE_ULNS_VIEW (and requests inserted) per chunk. */
  ACQUIRE_ULNS_CHUNK: int(5_000, 1, 100_000),
  /** Nightly bulk ULN acquisition (cron, Europe/London). */
  ACQUIRE_ULNS_CRON: z.string().min(9, { message: 'must be a cron pattern' }).default('0 2 * * *'),
  ACQUIRE_ULNS_VIEW: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/, { message: 'must be schema.view in lower case' })
    .default('mis.learners_needing_uln'),
  RECONCILE_INTERVAL_MS: int(60_000, 1_000, 86_400_000),
  /** A queued or in-progress request untouched for this long has its job checked (and re-enqueued if lost), ms. */
  RECONCILE_STALE_MS: int(120_000, 1_000, 86_400_000),
  OUTBOX_POLL_INTERVAL_MS: int(2_000, 50, 600_000),
  SHUTDOWN_TIMEOUT_MS: int(30_000, 100, 600_000),
  DASHBOARD_PORT: int(8080, 0, 65_535),
  DASHBOARD_HOST: z.string().default('127.0.0.1'),
  /**
   * A process without the dashboard role serves /healthz, /readyz and /metrics (its own counters) on
   * this port when it is set (0 = any free port, shown in lrs.process); the dashboard serves them itself.
   */
  HEALTH_PORT: z.coerce
    .number({ message: 'must be a whole number' })
    .int({ message: 'must be a whole number' })
    .min(0, { message: 'must be at least 0' })
    .max(65_535, { message: 'must be at most 65535' })
    .optional(),
  HEALTH_HOST: z.string().default('127.0.0.1'),
  /**
   * Roles that must each have a live process (`lrs-relay start --role …` anywhere): /readyz answers 503
   * and LrsRelayRoleMissing fires when one has none. Comma-separated; default every role.
   */
  REQUIRED_ROLES: z
    .string()
    .transform((v, ctx) => {
      const roles = v
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean);
      const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
      if (unknown.length > 0) {
        ctx.addIssue({ code: 'custom', message: `must be a comma-separated list of ${ROLES.join(', ')}` });
        return z.NEVER;
      }
      return [...new Set(roles)] as Role[];
    })
    .default([...ROLES]),
  /** Bearer token for /metrics; without it /metrics answers 401 unless METRICS_PUBLIC is "true". */
  METRICS_TOKEN: z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
  /** "true" serves /metrics without a token (only on a private network where every caller may read it). */
  METRICS_PUBLIC: bool('false'),
  /**
   * "true" when exactly one reverse proxy (TLS terminator) stands in front of the dashboard: the
   * client address for login throttling is then the last X-Forwarded-For entry (the one that proxy
   * appended), instead of the socket's address.
   */
  TRUST_PROXY: bool('false'),
  /**
   * 32-byte key (64 hex chars) for secrets stored encrypted in Postgres; the dashboard also derives the
   * key that signs its login form tokens from it (without it, each dashboard process makes its own). No default.
   */
  SECRETS_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, { message: 'must be 64 hexadecimal characters' })
    .optional(),
  CERT_EXPIRY_WARNING_DAYS: int(30, 0, 3650),
  /**
   * Days a finished request's personal data (payload, last error, staff note, outcome details and
   * candidates) is kept after it finished; the scheduled purge then clears it. Codes, statuses,
   * counts, ULNs and audit rows are kept. Default 90.
   */
  RETENTION_REQUEST_DAYS: int(90, 1, 36_500),
  /** Days the details of learning events fetched from the LRS are kept after they were fetched. Default 30. */
  RETENTION_LEARNING_EVENT_DAYS: int(30, 1, 36_500),
  /** How often the retention purge runs, ms. Default 1 hour. */
  RETENTION_PURGE_INTERVAL_MS: int(3_600_000, 10_000, 86_400_000),
  /** Rows the retention purge changes per transaction (short transactions, no long locks). Default 500. */
  RETENTION_PURGE_CHUNK: int(500, 1, 10_000),
});

/** Combinations of variables that are each valid alone. */
const checkedSchema = schema.superRefine((c, ctx) => {
  // Without this the cluster nodes would be ignored in silence: the operator meant Redis Cluster.
  if (c.QUEUE_BACKEND === 'postgres' && c.REDIS_CLUSTER_NODES !== undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['REDIS_CLUSTER_NODES'],
      message:
        'is set but QUEUE_BACKEND=postgres keeps the queues in Postgres and opens no Redis connection: unset REDIS_CLUSTER_NODES, or set QUEUE_BACKEND=redis',
    });
});

export type Config = Readonly<
  z.infer<typeof schema> & {
    lrsEndpoints: { learnerService: string; learnerServiceR9: string; externalService: string };
  }
>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

/** Parses the environment. Throws ConfigError listing one line per bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') input[key] = v;
  }
  const parsed = checkedSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '?');
      const shown =
        key === 'SECRETS_KEY' || key === 'METRICS_TOKEN' ? '(hidden)' : JSON.stringify(input[key]);
      const example = ENV_EXAMPLES[key];
      return `${key}=${shown}: ${issue.message}${example ? ` (example: ${key}=${example})` : ''}`;
    });
    throw new ConfigError(problems);
  }
  const c = parsed.data;
  const base = c.LRS_BASE_URL.replace(/\/+$/, '');
  return Object.freeze({
    ...c,
    lrsEndpoints: Object.freeze({
      learnerService: c.LRS_LEARNER_SERVICE_URL ?? `${base}/LearnerService.svc`,
      learnerServiceR9: c.LRS_LEARNER_SERVICE_R9_URL ?? `${base}/LearnerServiceR9.svc`,
      externalService: c.LRS_EXTERNAL_SERVICE_URL ?? `${base}/ExternalService.svc`,
    }),
  });
}

/**
 * Settings an earlier version read and this one does not, with what took their place. `lrs-relay start`
 * warns about each one still set, so a setting that no longer does anything is not trusted in silence.
 */
export const RETIRED_SETTINGS: Readonly<Record<string, string>> = Object.freeze({
  BATCH_RETRY_DELAY_MS:
    'a batch whose submit keeps failing now retries as the retry policy says for its error class, counted on its requests, and then fails for a person to retry (docs/batches.md); remove the setting',
});

/** One line per retired setting set in `env`: what it was and what to do. */
export function retiredSettingsIn(env: Record<string, string | undefined>): string[] {
  return Object.entries(RETIRED_SETTINGS)
    .filter(([key]) => env[key] !== undefined && env[key] !== '')
    .map(([key, why]) => `${key} is set but no longer used: ${why}`);
}

/** Names of every environment variable lrs-relay reads. */
export const CONFIG_KEYS: readonly string[] = Object.freeze(Object.keys(schema.shape));
