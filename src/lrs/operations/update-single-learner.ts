/** updateSingleLearner (docs/lrs.md §4.5): change a learner's details; VersionNumber guards against lost updates. */
import { MESSAGES, type WireObject } from '../messages.ts';
import type { LearnerToUpdate, LrsIdentity, UpdateResult } from '../types.ts';
import type { SoapBody } from '../xml.ts';
import { childFields, fieldsToWire, lsCredentials, requireCode, resultBase } from './common.ts';

export const spec = MESSAGES.updateSingleLearner;

const OUTCOMES: Record<string, UpdateResult['outcome']> = {
  WSRC0006: 'updated',
  WSRC0013: 'stale_version',
  WSRC0019: 'uln_not_found',
  WSRC0020: 'no_change',
  WSRC0014: 'refused',
  WSRC0015: 'refused',
};

export function buildUpdateSingleLearner(id: LrsIdentity, learner: LearnerToUpdate): WireObject {
  return { ...lsCredentials(id), Learner: fieldsToWire(childFields(spec.fields, 'Learner'), learner) };
}

export function parseUpdateSingleLearner(body: SoapBody): UpdateResult {
  const code = requireCode(body.root, spec.operation);
  return { ...resultBase(code), outcome: OUTCOMES[code] ?? 'unknown' };
}

/** The operation as the client's table holds it: message description, request builder, answer reader. */
export const updateSingleLearner = { spec, build: buildUpdateSingleLearner, parse: parseUpdateSingleLearner };
