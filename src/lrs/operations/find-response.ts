/** Reads a FindLearnerResponse (shared by learnerByULN and learnerByDemographics, docs/lrs.md §4.3). */
import type { FindResult } from '../types.ts';
import { children, type SoapBody } from '../xml.ts';
import { atMost, parseLearner, requireCode, resultBase } from './common.ts';

/** The LRS answers a find with at most 10 learners (docs/lrs.md §4.3); more are refused, not stored. */
export const MAX_CANDIDATES = 10;

/** Outcome by response code; one candidate is still a list, an unknown code keeps whatever learners came. */
export function parseFindLearnerResponse(body: SoapBody, operation: string): FindResult {
  const code = requireCode(body.root, operation);
  const base = resultBase(code);
  const learners = atMost(children(body.root, 'Learner'), MAX_CANDIDATES, 'learners', operation).map(
    parseLearner,
  );
  const first = learners[0];
  switch (code) {
    case 'WSRC0001':
      return { ...base, outcome: 'no_match' };
    case 'WSRC0002':
      return { ...base, outcome: 'too_many' };
    case 'WSRC0003':
      return { ...base, outcome: 'possible', candidates: learners };
    case 'WSRC0004':
      if (first) return { ...base, outcome: 'exact', learner: first };
      break;
    case 'WSRC0022':
      if (first) return { ...base, outcome: 'linked', learner: first, linkedUlns: first.linkedUlns };
      break;
  }
  return { ...base, outcome: 'unknown', learners };
}
