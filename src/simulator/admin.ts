/**
 * The admin endpoint (/__admin/*, loopback only by default): fault injection, statistics, reset, examples.
 * Everything is in memory and lost when the process ends.
 */
import type { BatchKind } from './batches.ts';
import type { SimResponse } from './context.ts';
import type { FaultSettings } from './options.ts';
import type { OutcomeExamples } from './seed.ts';
import { errorMessage } from '../errors.ts';

/** What tests and the HTTP admin endpoint can do to a running simulator. */
export interface SimulatorAdmin {
  /** Merges `patch` into the fault settings; returns the result. Throws on invalid values. */
  setFaults(patch: Partial<FaultSettings>): FaultSettings;
  faults(): FaultSettings;
  stats(): SimulatorStats;
  /** Back to the seeded register, no batches, zero counters, no faults. */
  reset(): void;
  /** Demographics that reach each find outcome among the synthetic learners. */
  examples(): OutcomeExamples;
  /** Submission count per MISIdentifier for one batch kind. */
  submissions(kind: BatchKind): Record<string, number>;
}

export interface SimulatorStats {
  calls: Record<string, number>;
  registrations: number;
  duplicateRegistrations: number;
  refusedRegistrations: number;
  learners: number;
  batches: Record<string, number>;
  misIdentifiers: Record<
    BatchKind,
    { records: number; distinct: number; repeated: number; repeatedSample: string[] }
  >;
  faults: Record<string, number>;
  injected: Record<string, number>;
  /** CPU used by this process since it started (µs), for per-call CPU figures in benchmarks. */
  process: { cpuUserMicros: number; cpuSystemMicros: number; heapUsedBytes: number; rssBytes: number };
}

const json = (status: number, data: unknown): SimResponse => ({
  status,
  body: `${JSON.stringify(data, null, 2)}\n`,
  contentType: 'application/json',
});

function parseJson(body: string): Partial<FaultSettings> {
  try {
    return JSON.parse(body) as Partial<FaultSettings>;
  } catch (e) {
    throw new Error(`the body is not JSON (${errorMessage(e)}): send an object such as {"errorRate": 0.1}`, {
      cause: e,
    });
  }
}

const KINDS: readonly BatchKind[] = ['registration', 'verify', 'achievement'];

/** Routes one admin request. `body` is the raw request body (JSON for POST /faults). */
export function handleAdmin(
  admin: SimulatorAdmin,
  method: string,
  path: string,
  query: URLSearchParams,
  body: string,
): SimResponse {
  const route = `${method} ${path}`;
  try {
    switch (route) {
      case 'GET /__admin/stats':
        return json(200, admin.stats());
      case 'GET /__admin/faults':
        return json(200, admin.faults());
      case 'POST /__admin/faults':
        return json(200, admin.setFaults(body.trim() === '' ? {} : parseJson(body)));
      case 'POST /__admin/reset':
        admin.reset();
        return json(200, { reset: true });
      case 'GET /__admin/examples':
        return json(200, admin.examples());
      case 'GET /__admin/submissions': {
        const kind = (query.get('kind') ?? 'registration') as BatchKind;
        if (!KINDS.includes(kind)) return json(400, { error: `kind must be one of ${KINDS.join(', ')}` });
        return json(200, admin.submissions(kind));
      }
      default:
        return json(404, {
          error: `unknown admin route ${route}`,
          routes: [
            'GET /__admin/stats',
            'GET|POST /__admin/faults',
            'POST /__admin/reset',
            'GET /__admin/examples',
            'GET /__admin/submissions?kind=registration',
          ],
        });
    }
  } catch (e) {
    return json(400, { error: errorMessage(e) });
  }
}
