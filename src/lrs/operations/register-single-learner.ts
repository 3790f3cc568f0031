/** registerSingleLearner (docs/lrs.md §4.4): issue a new ULN. The LRS refuses (WSRC0021) without a recent search. */
import { MESSAGES, type WireObject } from '../messages.ts';
import type { LearnerToRegister, LrsIdentity, RegisterResult } from '../types.ts';
import { childText, type SoapBody } from '../xml.ts';
import { childFields, fieldsToWire, lsCredentials, requireCode, resultBase } from './common.ts';

export const spec = MESSAGES.registerSingleLearner;

export function buildRegisterSingleLearner(id: LrsIdentity, learner: LearnerToRegister): WireObject {
  return { ...lsCredentials(id), Learner: fieldsToWire(childFields(spec.fields, 'Learner'), learner) };
}

export function parseRegisterSingleLearner(body: SoapBody): RegisterResult {
  const code = requireCode(body.root, spec.operation);
  const outcome = code === 'WSRC0005' ? 'registered' : code === 'WSRC0021' ? 'refused' : 'unknown';
  return { ...resultBase(code), outcome, uln: childText(body.root, 'ULN') };
}

/** The operation as the client's table holds it: message description, request builder, answer reader. */
export const registerSingleLearner = {
  spec,
  build: buildRegisterSingleLearner,
  parse: parseRegisterSingleLearner,
};
