/**
 * Pieces shared by the operation modules: identity → wire credentials, response code → result base,
 * and readers for the records several responses share (Learner, VerifiedLearner).
 */
import { RELAY_CODES } from '../../codes/client-codes.ts';
import { explainCode } from '../../codes/table.ts';
import { toKey, type FieldSpec, type MessageSpec, type WireObject } from '../messages.ts';
import { relayError } from '../response.ts';
import type { LrsIdentity, LrsLearner, ResultBase, VerifiedLearner } from '../types.ts';
import {
  child,
  childNames,
  childNumber,
  childText,
  children,
  text,
  type SoapBody,
  type XNode,
} from '../xml.ts';

/** Optional text: undefined stays undefined (element omitted), anything else is sent as given. */
export function opt(v: string | number | undefined | null): string | undefined {
  return v === undefined || v === null ? undefined : String(v);
}

/** LearnerService.svc credentials. The identifier not in use is omitted (HMPPS style, docs/lrs.md §11.1). */
export function lsCredentials(id: LrsIdentity): WireObject {
  return {
    OrganisationRef: opt(id.organisationRef),
    UKPRN: opt(id.ukprn),
    OrgPassword: id.password,
    UserName: id.userName,
  };
}

/** The result base for an LRS response code (unknown codes kept verbatim, class `unknown`). */
export function resultBase(code: string): ResultBase {
  return { code, codeSource: 'lrs', class: explainCode(code).class };
}

/** The response code of a body, or MALFORMED_RESPONSE when there is none. */
export function requireCode(node: XNode | undefined, operation: string): string {
  const code = childText(node, 'ResponseCode')?.trim();
  if (!code) throw relayError(RELAY_CODES.MALFORMED_RESPONSE, 'response has no ResponseCode', { operation });
  return code;
}

/**
 * The repeated records of an answer, refused as MALFORMED_RESPONSE when there are more than the LRS can send
 * (e.g. 10 candidates, a batch's size in rows): more is not an LRS answer, and storing it would let one
 * answer fill the database.
 */
export function atMost(nodes: XNode[], max: number, what: string, operation: string): XNode[] {
  if (nodes.length > max) {
    throw relayError(
      RELAY_CODES.MALFORMED_RESPONSE,
      `response refused: ${nodes.length} ${what}, more than the ${max} the LRS can send`,
      { operation },
    );
  }
  return nodes;
}

/** Most records one request can have sent, from its description: a batch's Learner field, say. */
export function maxOccurs(spec: MessageSpec, ...path: string[]): number {
  let fields: readonly FieldSpec[] | undefined = spec.fields;
  let max = 1;
  for (const name of path) {
    const f: FieldSpec | undefined = fields?.find((x) => x.name === name);
    if (!f) throw new Error(`${spec.operation} has no field ${path.join('/')}`);
    max = f.max;
    fields = f.children;
  }
  return max;
}

/** For R9/External: the `…Result` element inside the response wrapper. */
export function resultNode(body: SoapBody, spec: MessageSpec): XNode {
  const resultName = spec.response.result ?? `${spec.wsdlOperation}Result`;
  const r = child(body.root, resultName);
  if (!r)
    throw relayError(RELAY_CODES.MALFORMED_RESPONSE, `response has no ${resultName}`, {
      operation: spec.operation,
    });
  return r;
}

/** Every leaf child as camelCase key → text (absent/nil/empty → not set). */
export function readLeaves(node: XNode, skip: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of childNames(node)) {
    if (skip.includes(name)) continue;
    const first = children(node, name)[0];
    if (first && childNames(first).length > 0) continue;
    const v = text(first);
    if (v !== undefined) out[toKey(name)] = v;
  }
  return out;
}

/** A find-response `Learner` (docs/lrs.md §4.3). LinkedULNs is qualified on the wire; read by local name. */
export function parseLearner(node: XNode): LrsLearner {
  const leaves = readLeaves(node, ['LinkedULNs', 'VersionNumber']);
  const linkedUlns = children(child(node, 'LinkedULNs'), 'ULN')
    .map((n) => text(n))
    .filter((u): u is string => u !== undefined);
  return { ...leaves, uln: leaves.uln ?? '', linkedUlns, versionNumber: childNumber(node, 'VersionNumber') };
}

/** A `VerifiedLearner` (verifyLearner and verify-batch rows). */
export function parseVerifiedLearner(node: XNode): VerifiedLearner {
  const leaves = readLeaves(node, ['FailureFlag', 'ResponseCode']);
  const failureFlags = children(node, 'FailureFlag')
    .map((n) => text(n)?.trim())
    .filter((f): f is string => !!f);
  return {
    ...leaves,
    searchedUln: leaves.searchedUln,
    responseCode: childText(node, 'ResponseCode')?.trim() ?? '',
    failureFlags,
  };
}

/** Maps a camelCase input object onto the text fields of a description (complex fields are left to the caller). */
export function fieldsToWire(fields: readonly FieldSpec[], input: object): WireObject {
  const src = input as Record<string, string | number | undefined | null>;
  const out: WireObject = {};
  for (const f of fields) if (!f.children) out[f.name] = opt(src[f.key]);
  return out;
}

/** The child descriptions of a complex field of a message. */
export function childFields(fields: readonly FieldSpec[], name: string): readonly FieldSpec[] {
  return fields.find((f) => f.name === name)?.children ?? [];
}
