/** retrieveULNs (docs/lrs.md §4.9): status of up to 200 known ULNs, with the master ULN for merged learners. */
import { RELAY_CODES } from '../../codes/client-codes.ts';
import { explainCode } from '../../codes/table.ts';
import { MESSAGES, type WireObject } from '../messages.ts';
import type { LrsIdentity, RetrieveUlnsResult, RetrievedUln } from '../types.ts';
import { child, childText, children, type SoapBody } from '../xml.ts';
import { atMost, maxOccurs, readLeaves, lsCredentials, resultBase } from './common.ts';

export const spec = MESSAGES.retrieveUlns;
/** One answer carries at most one row per ULN asked about (200). */
const MAX_ROWS = maxOccurs(spec, 'ULNsToRetrieve', 'ULN');

export function buildRetrieveUlns(id: LrsIdentity, ulns: string[]): WireObject {
  return { ...lsCredentials(id), ULNsToRetrieve: { ULN: ulns } };
}

/**
 * The response has no overall ResponseCode in the schema, only one per ULN. When the LRS sends none we say
 * so with our RESPONSE_READ code rather than inventing an LRS code.
 */
export function parseRetrieveUlns(body: SoapBody): RetrieveUlnsResult {
  const rows = children(child(body.root, 'RetrievedULNs'), 'VerifiedULN');
  const ulns = atMost(rows, MAX_ROWS, 'rows', spec.operation).map((n): RetrievedUln => {
    const l = readLeaves(n);
    return { ...l, uln: l.uln ?? '', responseCode: l.responseCode?.trim() };
  });
  const top = childText(body.root, 'ResponseCode')?.trim();
  if (top) return { ...resultBase(top), ulns };
  const read = explainCode(RELAY_CODES.RESPONSE_READ);
  return { code: read.code, codeSource: 'relay', class: read.class, ulns };
}

/** The operation as the client's table holds it: message description, request builder, answer reader. */
export const retrieveUlns = { spec, build: buildRetrieveUlns, parse: parseRetrieveUlns };
