/**
 * Strict validation of LearnerService.svc requests, imitating the Java service's schema validation against
 * the legacy MIAP XSD: element order, unqualified children, occurs, nil and the MIAP facets. Message
 * descriptions and rules come from src/lrs (messages.ts, rules.ts) so client and simulator cannot drift.
 * Failures read like Xerces `cvc-…` messages but never quote the value (it may be personal data).
 */
import type { FieldSpec, MessageSpec } from '../lrs/messages.ts';
import { checkRule, type RuleName } from '../lrs/rules.ts';
import type { XmlNode } from './xml.ts';

/** The MIAP simple type each rule stands for, for messages in the style of the real fault. */
const MIAP_TYPES: Partial<Record<RuleName, string>> = {
  nameNonEmpty: 'MIAPNameNonEmpty',
  userName: 'MIAPNameNonEmpty',
  name: 'MIAPName',
  orgPassword: 'MIAPOrgPassword',
  ukprn: 'MIAPUKPRN',
  organisationRef: 'MIAPOrganisationRef',
  ulnPattern: 'MIAPULN',
  ulnPatternOrEmpty: 'MIAPULNNillable',
  date: 'MIAPDate',
  dateOrEmpty: 'MIAPDateNillable',
  gender: 'MIAPGender',
  genderOrEmpty: 'MIAPGenderNillable',
  postcode: 'MIAPPostCode',
  postcodeOrEmpty: 'MIAPPostCodeNillable',
  email: 'MIAPEmail',
  schoolName: 'MIAPSchoolName',
  address: 'MIAPAddress',
  nationality: 'MIAPNationality',
  scottishCandidateNumber: 'MIAPScottishCandidateNumber',
  verificationType: 'MIAPVerificationType',
  verificationTypeOrEmpty: 'MIAPVerificationType',
  otherVerificationDescription: 'MIAPOtherVerificationDescription',
  abilityToShare: 'MIAPAbilityToShare',
  abilityToShareOrEmpty: 'MIAPAbilityToShare',
  notes: 'MIAPNotes',
  misIdentifier: 'MIAPMISIdentifier',
  findType: 'MIAPFindType',
  learnerRecordCount: 'MIAPLearnerRecordCount',
  int: 'int',
  jobIdLong: 'long',
};

/** The real schema checks the ULN pattern only, not the check digit (docs/lrs.md §3.1). */
const SCHEMA_RULE: Partial<Record<RuleName, RuleName>> = {
  uln: 'ulnPattern',
  ulnOrEmpty: 'ulnPatternOrEmpty',
};

export interface ValidationLimits {
  /** Most occurrences allowed of a repeated field, overriding the description (configurable batch limits). */
  maxOf?: (field: FieldSpec) => number | undefined;
  /** A replacement check for a field's value (e.g. record counts against a configured limit). */
  checkOf?: (field: FieldSpec) => ((value: string) => string | undefined) | undefined;
}

/** Returns undefined when the request body element is valid, else a `cvc-…` message naming the first bad element. */
export function validateRequest(
  spec: MessageSpec,
  root: XmlNode,
  limits: ValidationLimits = {},
): string | undefined {
  return checkSequence(spec.fields, root, limits);
}

function qname(n: XmlNode): string {
  return n.ns === '' ? n.name : `{"${n.ns}":${n.name}}`;
}

function expectedFrom(fields: readonly FieldSpec[], from: number): string {
  const names: string[] = [];
  for (let k = from; k < fields.length; k++) {
    const f = fields[k];
    if (!f) break;
    names.push(f.ns === '' ? f.name : `"${f.ns}":${f.name}`);
    if (f.min > 0) break;
  }
  return names.join(', ');
}

function checkSequence(
  fields: readonly FieldSpec[],
  parent: XmlNode,
  limits: ValidationLimits,
): string | undefined {
  const children = parent.children;
  let i = 0;
  for (let k = 0; k < fields.length; k++) {
    const f = fields[k];
    if (!f) continue;
    const max = limits.maxOf?.(f) ?? f.max;
    let count = 0;
    for (
      let c = children[i];
      c !== undefined && c.name === f.name && c.ns === f.ns && count < max;
      c = children[i]
    ) {
      const problem = checkElement(f, c, limits);
      if (problem) return problem;
      i++;
      count++;
    }
    if (count < f.min) {
      const next = children[i];
      return next === undefined
        ? `cvc-complex-type.2.4.b: The content of element '${parent.name}' is not complete. One of '{${expectedFrom(fields, k)}}' is expected.`
        : `cvc-complex-type.2.4.a: Invalid content was found starting with element '${qname(next)}'. One of '{${expectedFrom(fields, k)}}' is expected.`;
    }
  }
  const extra = children[i];
  if (extra !== undefined)
    return `cvc-complex-type.2.4.d: Invalid content was found starting with element '${qname(extra)}'. No child element is expected at this point.`;
  return undefined;
}

function checkElement(f: FieldSpec, node: XmlNode, limits: ValidationLimits): string | undefined {
  if (node.nil) {
    if (!f.nillable)
      return `cvc-elt.3.1: Attribute 'http://www.w3.org/2001/XMLSchema-instance,nil' must not appear on element '${f.name}', because the {nillable} property of '${f.name}' is false.`;
    return node.children.length > 0 || node.text.trim() !== ''
      ? `cvc-elt.3.2.1: Element '${f.name}' cannot have character or element information [children], because xsi:nil was specified.`
      : undefined;
  }
  if (f.children) return checkSequence(f.children, node, limits);
  if (node.children.length > 0)
    return `cvc-type.3.1.2: Element '${f.name}' is a simple type, so it must have no element information item [children].`;
  const custom = limits.checkOf?.(f);
  if (custom) {
    const problem = custom(node.text);
    return problem ? `cvc-type.3.1.3: The value of element '${f.name}' is not valid: ${problem}.` : undefined;
  }
  if (!f.rule) return undefined;
  const rule = SCHEMA_RULE[f.rule] ?? f.rule;
  const problem = checkRule(rule, node.text);
  if (!problem) return undefined;
  return `cvc-type.3.1.3: The value of element '${f.name}' is not valid for type '${MIAP_TYPES[rule] ?? 'string'}': ${problem}.`;
}
