/** verifyLearner (docs/lrs.md §4.6): does this ULN belong to this person? WSVRC code + VRF failure flags. */
import { RELAY_CODES } from '../../codes/client-codes.ts';
import { MESSAGES, type WireObject } from '../messages.ts';
import { relayError } from '../response.ts';
import type { LearnerToVerify, LrsIdentity, VerifyResult } from '../types.ts';
import { child, type SoapBody } from '../xml.ts';
import { childFields, fieldsToWire, lsCredentials, parseVerifiedLearner, resultBase } from './common.ts';

export const spec = MESSAGES.verifyLearner;

export function buildVerifyLearner(id: LrsIdentity, learner: LearnerToVerify): WireObject {
  return {
    ...lsCredentials(id),
    LearnerToVerify: fieldsToWire(childFields(spec.fields, 'LearnerToVerify'), learner),
  };
}

export function parseVerifyLearner(body: SoapBody): VerifyResult {
  const node = child(body.root, 'VerifiedLearner');
  const verified = node ? parseVerifiedLearner(node) : undefined;
  if (!verified?.responseCode)
    throw relayError(RELAY_CODES.MALFORMED_RESPONSE, 'response has no VerifiedLearner/ResponseCode', {
      operation: spec.operation,
    });
  return { ...resultBase(verified.responseCode), verified };
}

/** The operation as the client's table holds it: message description, request builder, answer reader. */
export const verifyLearner = { spec, build: buildVerifyLearner, parse: parseVerifyLearner };
