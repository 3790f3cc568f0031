/** What every operation handler gets: the instance's state and settings. Nothing here is module-level. */
import type { BatchBook } from './batches.ts';
import type { OrganisationTable } from './orgs.ts';
import type { SimStats } from './stats.ts';
import type { LearnerStore } from './store.ts';

export interface BatchLimits {
  /** Learners per submitBatchRegistration (default 200). */
  registration: number;
  /** Learners per submitVerifyBatch (default 5,000). */
  verify: number;
  /** Achievements per SubmitAchievementBatchJob (default 10,000). */
  achievement: number;
}

export interface SimContext {
  readonly store: LearnerStore;
  readonly batches: BatchBook;
  readonly stats: SimStats;
  readonly orgs: OrganisationTable;
  readonly limits: BatchLimits;
  /** True while the `outOfHours` fault is set and (when `operations` narrows the faults) covers this operation. */
  readonly outOfHours: (operation: string) => boolean;
  /** The injected batch-job fault for a poll operation (lostBatchJobs, stuckBatchJobs), if any. */
  readonly batchJobFault: (operation: string) => 'lost' | 'stuck' | undefined;
  /** The `achievementErrorDetails` fault setting: '' when off. */
  readonly achievementErrorDetails: () => string;
  readonly now: () => number;
}

/** An HTTP answer. */
export interface SimResponse {
  status: number;
  body: string;
  contentType?: string;
}

export const XML_TYPE = 'text/xml; charset=utf-8';

export function xmlResponse(body: string, status = 200): SimResponse {
  return { status, body, contentType: XML_TYPE };
}
