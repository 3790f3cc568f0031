/**
 * The resettable state of one simulator instance: register, batches, statistics. Built from the seeded
 * learners on start and on POST /__admin/reset. ULN and job-id counters survive resets so nothing is reissued.
 */
import { BatchBook } from './batches.ts';
import type { BatchLimits, SimContext } from './context.ts';
import type { SimLearner } from './learner-record.ts';
import type { FaultSettings, ResolvedOptions } from './options.ts';
import { OrganisationTable } from './orgs.ts';
import { capturedLearners, syntheticLearners, type OutcomeExamples } from './seed.ts';
import { SimStats } from './stats.ts';
import { LearnerStore } from './store.ts';

/** The seeded learners (captured + synthetic + imported) and the examples per outcome. */
export function buildSeed(o: ResolvedOptions): { learners: SimLearner[]; examples: OutcomeExamples } {
  const synthetic = syntheticLearners(o.seed, o.syntheticLearners);
  return {
    learners: [...capturedLearners(), ...synthetic.learners, ...o.learners],
    examples: synthetic.examples,
  };
}

function copy(l: SimLearner): SimLearner {
  return { ...l, linkedUlns: [] };
}

/** A fresh context over the seed. `counters` carries the never-reused ULN and job-id sequences. */
export function createState(
  o: ResolvedOptions,
  seed: readonly SimLearner[],
  counters: { uln: { next: number }; jobs: { next: number } },
  faults: () => FaultSettings,
): SimContext {
  const store = new LearnerStore(
    {
      findBeforeRegisterWindowMs: o.findBeforeRegisterWindowMs,
      possibleMatchMinWaitMs: o.possibleMatchMinWaitMs,
      maxPossibleMatches: 10,
      issuedUlnPrefix: '5',
    },
    counters.uln,
  );
  for (const l of seed) store.add(copy(l));
  const limits: BatchLimits = { ...o.limits };
  return {
    store,
    batches: new BatchBook(o.batchTiming, o.batchRetention, counters.jobs),
    stats: new SimStats(o.trackMisIdentifiers),
    orgs: new OrganisationTable(o.organisations),
    limits,
    outOfHours: (operation) => {
      const f = faults();
      return f.outOfHours && (f.operations.length === 0 || f.operations.includes(operation));
    },
    batchJobFault: (operation) => {
      const f = faults();
      if (f.operations.length > 0 && !f.operations.includes(operation)) return undefined;
      return f.lostBatchJobs ? 'lost' : f.stuckBatchJobs ? 'stuck' : undefined;
    },
    achievementErrorDetails: () => faults().achievementErrorDetails,
    now: o.now,
  };
}
