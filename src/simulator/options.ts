/**
 * createSimulator options and their defaults. Where docs/lrs.md says a value is unknown, the default is our choice
 * and docs/simulator.md says so.
 */
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { BatchRetention, BatchTiming } from './batches.ts';
import type { BatchLimits } from './context.ts';
import type { SimLearner } from './learner-record.ts';
import { DEFAULT_ORGANISATION, type SimOrganisation } from './orgs.ts';

/** Fault injection settings (POST /__admin/faults). */
export const faultSettingsSchema = z.object({
  /** Added to every service call, ms. */
  latencyMs: z.number().min(0).max(600_000).default(0),
  /** Latency varies uniformly by ± this much, ms. */
  jitterMs: z.number().min(0).max(600_000).default(0),
  /** Share of calls (0–1) that are never answered (the socket is closed only when the simulator closes). */
  timeoutRate: z.number().min(0).max(1).default(0),
  /** Share of calls (0–1) answered with HTTP 500 and a WCF internal-error fault. */
  errorRate: z.number().min(0).max(1).default(0),
  /** Every service call gets the HTTP 405 "UnsupportedHttpVerb" HTML page. */
  maintenance: z.boolean().default(false),
  /**
   * Every service call gets HTTP 405 with the LRS's maintenance fault: a MIAPAPIException with ErrorCode
   * WSEC0001 and Description/FurtherDetails UnsupportedHttpVerb.
   */
  maintenanceFault: z.boolean().default(false),
  /** Every service call gets a WSEC0004 out-of-hours fault. */
  outOfHours: z.boolean().default(false),
  /** Batch polls answer WSRC0018 (unknown job) while set, as if the LRS had lost the job. */
  lostBatchJobs: z.boolean().default(false),
  /** Batch jobs never finish while set: polls answer "running" (WSRC0008, InProgress) whatever the batch clock says. */
  stuckBatchJobs: z.boolean().default(false),
  /**
   * When set, every service call is answered with a WSEC0001 fault (MIAPAPIException on LearnerService.svc,
   * DomainFault on R9 and External) whose FurtherDetails / ErrorDetail is this text, each `{Name}` replaced
   * by the text of the request's first element of that local name (`{GivenName}`, `{DateOfBirth}`), written
   * as a filter says when one is given (`{FamilyName|upper}`, `{DateOfBirth|ukdate}`; docs/simulator.md):
   * the LRS's free text quoting the learner's details in any wording, for testing what lrs-relay keeps of it.
   */
  faultDetails: z.string().max(2_000).default(''),
  /**
   * When set, every record of an achievement job is listed in the job's error file as a LearnerDataError
   * whose description is this text, `{Name}` (and filters) filled from that record as for `faultDetails`:
   * the LRS's per-record text quoting the learner. Not narrowed by `operations`.
   */
  achievementErrorDetails: z.string().max(2_000).default(''),
  /** Limit the above to these operations (e.g. ["registerSingleLearner"]); empty = all. */
  operations: z.array(z.string()).default([]),
});
export type FaultSettings = z.infer<typeof faultSettingsSchema>;

const FAULT_NAMES = Object.keys(faultSettingsSchema.shape).join(', ');

/** `current` with `patch` applied. Throws naming each bad value or unknown setting (a misspelt one would otherwise do nothing). */
export function applyFaultPatch(current: FaultSettings, patch: unknown): FaultSettings {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
    throw new Error('fault settings must be a JSON object, e.g. {"errorRate": 0.1}');
  const parsed = faultSettingsSchema.strict().safeParse({ ...current, ...patch });
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) =>
    i.code === 'unrecognized_keys'
      ? `unknown fault setting ${i.keys.map((k) => JSON.stringify(k)).join(', ')} (known: ${FAULT_NAMES})`
      : `${i.path.join('.')}: ${i.message}`,
  );
  throw new Error(problems.join('; '));
}

export interface SimulatorOptions {
  /** TCP port; 0 picks a free one (default 0; the CLI uses 8999). */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Seed for synthetic learners and fault injection (default 1). */
  seed?: number;
  /** How many synthetic learners to generate (default 1,000). */
  syntheticLearners?: number;
  /** Extra learners (e.g. from readLearnerFile). Added after the seeded ones. */
  learners?: SimLearner[];
  /** Organisations; default one organisation (UKPRN 10000001, ref SIM001, password Simulator-Pass16, all operations). */
  organisations?: SimOrganisation[];
  /** A FUL demographic search licenses registering that person for this long, ms (default 600,000 = 10 min). */
  findBeforeRegisterWindowMs?: number;
  /** After a possible-match search, registering that person must wait this long, ms (default 0 = no wait). */
  possibleMatchMinWaitMs?: number;
  /** Batch job clock (default in progress after 1 s, done after 5 s). */
  batchTiming?: BatchTiming;
  /** Jobs are done as soon as they are submitted (benchmarks). Overrides batchTiming. */
  instantBatches?: boolean;
  /** Output retention (default 1 min after the first fetch, 1 h if never fetched): keeps a nightly run's memory flat. */
  batchRetention?: BatchRetention;
  /** Records per job (default registration 200, verify 5,000, achievement 10,000). */
  limits?: Partial<BatchLimits>;
  /**
   * Largest request body accepted, bytes (default 16 MiB); larger gets HTTP 413 before it is read whole. The
   * largest legal request, an achievement batch of 10,000 with every field at its longest (free text at 100
   * characters), is 12.9 MB (`npm run bench -- xml-sizes`).
   */
  maxBodyBytes?: number;
  /** Refuse /__admin/* from anything but loopback (default true). */
  adminLoopbackOnly?: boolean;
  /** Where ?singleWsdl files are read from (default the project's wsdl/ folder). */
  wsdlDir?: string;
  /** Initial fault settings (default none). */
  faults?: Partial<FaultSettings>;
  /** Count submissions per MISIdentifier (default true; costs memory per distinct id). */
  trackMisIdentifiers?: boolean;
  /** Clock, ms since the epoch (tests). */
  now?: () => number;
}

export interface ResolvedOptions {
  port: number;
  host: string;
  seed: number;
  syntheticLearners: number;
  learners: SimLearner[];
  organisations: SimOrganisation[];
  findBeforeRegisterWindowMs: number;
  possibleMatchMinWaitMs: number;
  batchTiming: BatchTiming;
  batchRetention: BatchRetention;
  limits: BatchLimits;
  maxBodyBytes: number;
  adminLoopbackOnly: boolean;
  wsdlDir: string;
  faults: FaultSettings;
  trackMisIdentifiers: boolean;
  now: () => number;
}

export const DEFAULTS = {
  port: 0,
  host: '127.0.0.1',
  seed: 1,
  syntheticLearners: 1000,
  findBeforeRegisterWindowMs: 10 * 60_000,
  possibleMatchMinWaitMs: 0,
  batchTiming: { inProgressAfterMs: 1000, doneAfterMs: 5000 },
  batchRetention: { afterFetchMs: 60_000, unfetchedMs: 3_600_000 },
  limits: { registration: 200, verify: 5000, achievement: 10_000 },
  maxBodyBytes: 16 * 1024 * 1024,
} as const;

export function resolveOptions(o: SimulatorOptions): ResolvedOptions {
  return {
    port: o.port ?? DEFAULTS.port,
    host: o.host ?? DEFAULTS.host,
    seed: o.seed ?? DEFAULTS.seed,
    syntheticLearners: o.syntheticLearners ?? DEFAULTS.syntheticLearners,
    learners: o.learners ?? [],
    organisations: o.organisations ?? [{ ...DEFAULT_ORGANISATION }],
    findBeforeRegisterWindowMs: o.findBeforeRegisterWindowMs ?? DEFAULTS.findBeforeRegisterWindowMs,
    possibleMatchMinWaitMs: o.possibleMatchMinWaitMs ?? DEFAULTS.possibleMatchMinWaitMs,
    batchTiming: o.instantBatches
      ? { inProgressAfterMs: 0, doneAfterMs: 0 }
      : (o.batchTiming ?? { ...DEFAULTS.batchTiming }),
    batchRetention: o.batchRetention ?? { ...DEFAULTS.batchRetention },
    limits: { ...DEFAULTS.limits, ...o.limits },
    maxBodyBytes: o.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
    adminLoopbackOnly: o.adminLoopbackOnly ?? true,
    wsdlDir: o.wsdlDir ?? fileURLToPath(new URL('../../wsdl/', import.meta.url)),
    faults: applyFaultPatch(faultSettingsSchema.parse({}), o.faults ?? {}),
    trackMisIdentifiers: o.trackMisIdentifiers ?? true,
    now: o.now ?? Date.now,
  };
}
