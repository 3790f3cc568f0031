/**
 * ONE description per LRS request message (docs/lrs.md §2.2, §2.3, §4): root element QName, SOAPAction,
 * endpoint, and the ordered child elements with their namespace, rule and occurs. The same description
 * builds requests (envelope.ts), validates them before sending (validateMessage below), lets the
 * simulator validate incoming requests, and is checked against our WSDLs in a unit test so they cannot drift.
 *
 * Values are "wire objects": plain objects keyed by element local name, in any key order —
 *   `{ FindType: 'FUL', UKPRN: '10030488', OrgPassword: '…', UserName: '…', ULN: '…', … }`.
 * A string is the element's text; `null` is `xsi:nil="true"`; `undefined` (or a missing key) is omitted;
 * an object is a complex element; an array is a repeated element (fields with max > 1).
 */
import type { FieldProblem } from './errors.ts';
import { checkRule, type RuleName } from './rules.ts';

/** Every namespace the LRS services use; the simulator reads the same table (src/simulator/xml.ts). */
export const NS = {
  soapenv: 'http://schemas.xmlsoap.org/soap/envelope/',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  findmsg: 'http://api.lrs.miap.gov.uk/findmsg',
  regmsg: 'http://api.lrs.miap.gov.uk/regmsg',
  batchmsg: 'http://api.lrs.miap.gov.uk/batchmsg',
  vldmsg: 'http://api.lrs.miap.gov.uk/vldmsg',
  reportmsg: 'http://api.lrs.miap.gov.uk/reportmsg',
  learner: 'http://api.lrs.miap.gov.uk/learner',
  exceptions: 'http://api.lrs.miap.gov.uk/exceptions',
  tempuri: 'http://tempuri.org/',
  r10: 'http://schemas.datacontract.org/2004/07/Amor.Qcf.Service.Interface',
  common: 'http://schemas.datacontract.org/2004/07/Amor.Qcf.Common',
  miapModel: 'http://schemas.datacontract.org/2004/07/Amor.Qcf.MIAPModel',
  model: 'http://api.lrs.qcf.gov.uk/model',
  faults: 'http://api.lrs.qcf.gov.uk/faults',
  services: 'http://api.lrs.qcf.gov.uk/services',
  arrays: 'http://schemas.microsoft.com/2003/10/Serialization/Arrays',
} as const;

export type WireValue = string | null | undefined | WireObject | WireValue[];
export interface WireObject {
  [element: string]: WireValue;
}

/** One child element of a message, in schema order. */
export interface FieldSpec {
  /** Element local name on the wire. */
  readonly name: string;
  /** camelCase name used in FieldProblem paths (`learner.dateOfBirth`). */
  readonly key: string;
  /** Element namespace; '' = unqualified (LearnerService.svc children). */
  readonly ns: string;
  /** Rule from rules.ts for a text element; absent for complex elements. */
  readonly rule?: RuleName | undefined;
  readonly min: number;
  /** Maximum occurrences; Infinity for unbounded. */
  readonly max: number;
  readonly nillable: boolean;
  /** Children of a complex element, in order. */
  readonly children?: readonly FieldSpec[] | undefined;
}

export type ServiceName = 'learnerService' | 'learnerServiceR9' | 'externalService';

export interface MessageSpec {
  /** Our operation name (LrsClient method). */
  readonly operation: string;
  /** The WSDL operation name. */
  readonly wsdlOperation: string;
  readonly service: ServiceName;
  /** Request root element QName. */
  readonly root: { readonly ns: string; readonly name: string };
  /** SOAPAction header value, without quotes ('' = empty). */
  readonly soapAction: string;
  readonly fields: readonly FieldSpec[];
  /** Response root element QName; `result` is the WCF `…Result` wrapper inside it (R9/External). */
  readonly response: { readonly ns: string; readonly name: string; readonly result?: string | undefined };
}

type FieldOpts = { min?: number; max?: number; nil?: boolean; key?: string; ns?: string };

/** camelCase key of an element name, acronyms as words: 'MISIdentifier' → 'misIdentifier', 'SearchedULN' → 'searchedUln', 'JobID' → 'jobId'. */
export function toKey(name: string): string {
  const words = name.replace(
    /[A-Z]{2,}(?=[A-Z][a-z]|s[A-Z]|s?$)/g,
    (m) => m.charAt(0) + m.slice(1).toLowerCase(),
  );
  return words.charAt(0).toLowerCase() + words.slice(1);
}

function makeField(ns: string) {
  return (
    name: string,
    rule: RuleName | undefined,
    o: FieldOpts = {},
    children?: readonly FieldSpec[],
  ): FieldSpec => ({
    name,
    key: o.key ?? toKey(name),
    ns: o.ns ?? ns,
    rule,
    min: o.min ?? 1,
    max: o.max ?? 1,
    nillable: o.nil ?? false,
    children,
  });
}

/** LearnerService.svc children are unqualified (docs/lrs.md §2.3). */
const u = makeField('');
const opt = { min: 0 } as const;

/** Credentials at the head of every LearnerService.svc request (docs/lrs.md §2.4). Legacy occurs: both ids optional. */
const LS_CREDENTIALS: readonly FieldSpec[] = [
  u('OrganisationRef', 'organisationRef', { min: 0, nil: true }),
  u('UKPRN', 'ukprn', { min: 0, nil: true }),
  u('OrgPassword', 'orgPassword'),
  u('UserName', 'userName'),
];

/** LearnerToRegister (docs/lrs.md §4.4). */
const LEARNER_TO_REGISTER: readonly FieldSpec[] = [
  u('Title', 'name', opt),
  u('GivenName', 'nameNonEmpty'),
  u('MiddleOtherName', 'name', opt),
  u('FamilyName', 'nameNonEmpty'),
  u('PreferredGivenName', 'name', opt),
  u('PreviousFamilyName', 'name', opt),
  u('FamilyNameAtAge16', 'name', opt),
  u('SchoolAtAge16', 'schoolName', opt),
  u('LastKnownAddressLine1', 'address', opt),
  u('LastKnownAddressLine2', 'address', opt),
  u('LastKnownAddressTown', 'address', opt),
  u('LastKnownAddressCountyOrCity', 'address', opt),
  u('LastKnownPostCode', 'postcode'),
  u('DateOfAddressCapture', 'dateOrEmpty', opt),
  u('DateOfBirth', 'date'),
  u('PlaceOfBirth', 'name', opt),
  u('Gender', 'gender'),
  u('EmailAddress', 'email', opt),
  u('Nationality', 'nationality', opt),
  u('ScottishCandidateNumber', 'scottishCandidateNumber', opt),
  u('VerificationType', 'verificationType'),
  u('OtherVerificationDescription', 'otherVerificationDescription', opt),
  u('AbilityToShare', 'abilityToShare'),
  u('Notes', 'notes', opt),
];

/** LearnerToUpdate = LearnerToRegister followed by ULN and VersionNumber (docs/lrs.md §4.5). */
const LEARNER_TO_UPDATE: readonly FieldSpec[] = [
  ...LEARNER_TO_REGISTER,
  u('ULN', 'uln'),
  u('VersionNumber', 'int'),
];

/** BatchLearner — note its own order (docs/lrs.md §4.7). */
const BATCH_LEARNER: readonly FieldSpec[] = [
  u('ULN', 'ulnOrEmpty', opt),
  u('MISIdentifier', 'misIdentifier', opt),
  u('Title', 'name', opt),
  u('GivenName', 'nameNonEmpty'),
  u('PreferredGivenName', 'name', opt),
  u('MiddleOtherName', 'name', opt),
  u('FamilyName', 'nameNonEmpty'),
  u('PreviousFamilyName', 'name', opt),
  u('FamilyNameAtAge16', 'name', opt),
  u('SchoolAtAge16', 'schoolName', opt),
  u('LastKnownAddressLine1', 'address', opt),
  u('LastKnownAddressLine2', 'address', opt),
  u('LastKnownAddressTown', 'address', opt),
  u('LastKnownAddressCountyOrCity', 'address', opt),
  u('LastKnownPostCode', 'postcodeOrEmpty', opt),
  u('DateOfAddressCapture', 'dateOrEmpty', opt),
  u('DateOfBirth', 'dateOrEmpty', opt),
  u('PlaceOfBirth', 'name', opt),
  u('EmailAddress', 'email', opt),
  u('Gender', 'genderOrEmpty', opt),
  u('Nationality', 'nationality', opt),
  u('ScottishCandidateNumber', 'scottishCandidateNumber', opt),
  u('AbilityToShare', 'abilityToShareOrEmpty', opt),
  u('VerificationType', 'verificationTypeOrEmpty', opt),
  u('OtherVerificationDescription', 'otherVerificationDescription', opt),
  u('Notes', 'notes', opt),
];

const LEARNER_TO_VERIFY: readonly FieldSpec[] = [
  u('ULN', 'uln'),
  u('FamilyName', 'nameNonEmpty'),
  u('GivenName', 'nameNonEmpty'),
  u('DateOfBirth', 'dateOrEmpty', { min: 0, nil: true }),
  u('Gender', 'genderOrEmpty', { min: 0, nil: true }),
];

const BATCH_LEARNER_TO_VERIFY: readonly FieldSpec[] = [
  u('MISIdentifier', 'misIdentifier', opt),
  ...LEARNER_TO_VERIFY,
];

const ls = (
  operation: string,
  wsdlOperation: string,
  ns: string,
  name: string,
  responseName: string,
  fields: readonly FieldSpec[],
  soapAction = '',
): MessageSpec => ({
  operation,
  wsdlOperation,
  service: 'learnerService',
  root: { ns, name },
  soapAction,
  fields,
  response: { ns, name: responseName },
});

const FIND_TYPE = u('FindType', 'findType');

/** R9 wrapper parameters are qualified in tempuri (docs/lrs.md §2.3); credential members in their DataContract namespace. */
const t = makeField(NS.tempuri);
const r10 = makeField(NS.r10);
const common = makeField(NS.common);

/** InvokingOrganisationR10 (alphabetical DataContract order). OrganisationRef is free text: TLRC puts the UKPRN in it. */
const INVOKING_ORG_R10: readonly FieldSpec[] = [
  r10('OrganisationRef', 'text', { min: 0, nil: true }),
  r10('Password', 'orgPassword', { nil: true }),
  r10('Ukprn', 'ukprn', { min: 0, nil: true }),
  r10('Username', 'userName', { nil: true }),
];

/** InvokingOrganisation (Amor.Qcf.Common), used by LearnerByUln. */
const INVOKING_ORG: readonly FieldSpec[] = [
  common('ChannelCode', 'text', opt),
  common('Estab', 'int', { min: 0, nil: true }),
  common('LaNumber', 'int', { min: 0, nil: true }),
  common('Password', 'orgPassword', { nil: true }),
  common('Reference', 'organisationRef', { min: 0, nil: true }),
  common('Ukprn', 'ukprn', { min: 0, nil: true }),
  common('Username', 'userName', { nil: true }),
];

const r9 = (op: string, fields: readonly FieldSpec[], operation: string): MessageSpec => ({
  operation,
  wsdlOperation: op,
  service: 'learnerServiceR9',
  root: { ns: NS.tempuri, name: op },
  soapAction: `http://tempuri.org/ILearnerServiceR9/${op}`,
  fields,
  response: { ns: NS.tempuri, name: `${op}Response`, result: `${op}Result` },
});

const s = makeField(NS.services);
const m = makeField(NS.model);

/** External service `User` (model namespace, alphabetical). */
const EXTERNAL_USER: readonly FieldSpec[] = [
  m('OrgPassword', 'orgPassword', { min: 0, nil: true }),
  m('OrganisationRef', 'organisationRef', { min: 0, nil: true }),
  m('UserName', 'userName', { min: 0, nil: true }),
];

/** Achievement (docs/lrs.md §4.13): required members have no minOccurs=0 in the WSDL. */
const ACHIEVEMENT: readonly FieldSpec[] = [
  s('AchievementAwardDate', 'isoDateTime'),
  s('Action', 'int'),
  s('ActionDate', 'isoDateTime'),
  s('ActionReason', 'text', { min: 0, nil: true }),
  s('DateofBirth', 'isoDateTime', { min: 0, key: 'dateOfBirth' }),
  s('FamilyName', 'nameNonEmpty', { nil: true }),
  s('Gender', 'int', opt),
  s('GivenName', 'nameNonEmpty', { nil: true }),
  s('Grade', 'text', { min: 0, nil: true }),
  s('LanguageForAssessment', 'text', { min: 0, nil: true }),
  s('LearnerPostcode', 'postcodeOrEmpty', { min: 0, nil: true }),
  s('MisIdentifier', 'misIdentifier', { min: 0, nil: true }),
  s('ProviderUkprn', 'ukprn', { nil: true }),
  s('Uln', 'uln', { nil: true }),
  s('UnitOrQualificationReferenceNumber', 'text', { nil: true }),
];

const ext = (op: string, fields: readonly FieldSpec[], operation: string): MessageSpec => ({
  operation,
  wsdlOperation: op,
  service: 'externalService',
  root: { ns: NS.services, name: op },
  soapAction: `http://api.lrs.qcf.gov.uk/services/IExternalService/${op}`,
  fields,
  response: { ns: NS.services, name: `${op}Response`, result: `${op}Result` },
});

/** Every request message, keyed by LrsClient method name. */
export const MESSAGES = {
  learnerByUln: ls('learnerByUln', 'learnerByULN', NS.findmsg, 'FindLearnerByULN', 'FindLearnerResponse', [
    FIND_TYPE,
    ...LS_CREDENTIALS,
    u('ULN', 'uln'),
    u('FamilyName', 'nameNonEmpty'),
    u('GivenName', 'nameNonEmpty'),
  ]),
  learnerByDemographics: ls(
    'learnerByDemographics',
    'learnerByDemographics',
    NS.findmsg,
    'FindLearnerByDemographics',
    'FindLearnerResponse',
    [
      FIND_TYPE,
      ...LS_CREDENTIALS,
      u('FamilyName', 'nameNonEmpty'),
      u('GivenName', 'nameNonEmpty'),
      u('DateOfBirth', 'date'),
      u('Gender', 'gender'),
      u('LastKnownPostCode', 'postcode'),
      u('PreviousFamilyName', 'name', { min: 0, nil: true }),
      u('SchoolAtAge16', 'schoolName', { min: 0, nil: true }),
      u('PlaceOfBirth', 'name', { min: 0, nil: true }),
      u('EmailAddress', 'email', { min: 0, nil: true }),
    ],
  ),
  registerSingleLearner: ls(
    'registerSingleLearner',
    'registerSingleLearner',
    NS.regmsg,
    'RegisterLearner',
    'RegisterLearnerResponse',
    [...LS_CREDENTIALS, u('Learner', undefined, {}, LEARNER_TO_REGISTER)],
  ),
  updateSingleLearner: ls(
    'updateSingleLearner',
    'updateSingleLearner',
    NS.regmsg,
    'UpdateLearner',
    'UpdateLearnerResponse',
    [...LS_CREDENTIALS, u('Learner', undefined, {}, LEARNER_TO_UPDATE)],
  ),
  verifyLearner: ls(
    'verifyLearner',
    'verifyLearner',
    NS.reportmsg,
    'VerifyLearner',
    'VerifyLearnerResponse',
    [...LS_CREDENTIALS, u('LearnerToVerify', undefined, { key: 'learner' }, LEARNER_TO_VERIFY)],
    'http://tempuri.org/LearnerPortType/verifyLearner',
  ),
  submitBatchRegistration: ls(
    'submitBatchRegistration',
    'submitBatchRegistration',
    NS.batchmsg,
    'SubmitBatch',
    'SubmitBatchResponse',
    [
      ...LS_CREDENTIALS,
      u('JobType', 'findType'),
      u('LearnerRecordCount', 'learnerRecordCount'),
      u('Learner', undefined, { max: 200, key: 'learners' }, BATCH_LEARNER),
    ],
  ),
  getBatchRegistrationOutput: ls(
    'getBatchRegistrationOutput',
    'getBatchRegistrationOutput',
    NS.batchmsg,
    'GetSubmitBatchOutput',
    'GetSubmitBatchOutputResponse',
    [...LS_CREDENTIALS, u('JobID', 'jobIdLong', { key: 'jobId' })],
  ),
  submitVerifyBatch: ls(
    'submitVerifyBatch',
    'submitVerifyBatch',
    NS.vldmsg,
    'SubmitVerifyBatch',
    'SubmitVerifyBatchResponse',
    [
      ...LS_CREDENTIALS,
      u('LearnerRecordCount', 'verifyRecordCount'),
      u('OrgEmail', 'email', { min: 0, nil: true }),
      u('Learner', undefined, { max: 5000, key: 'learners' }, BATCH_LEARNER_TO_VERIFY),
    ],
  ),
  getVerifyBatchOutput: ls(
    'getVerifyBatchOutput',
    'getVerifyBatchOutput',
    NS.vldmsg,
    'GetVerifyBatchOutput',
    'GetVerifyBatchOutputResponse',
    [...LS_CREDENTIALS, u('JobID', 'jobIdLong', { key: 'jobId' })],
  ),
  retrieveUlns: ls('retrieveUlns', 'retrieveULNs', NS.reportmsg, 'RetrieveULNs', 'RetrieveULNsResponse', [
    ...LS_CREDENTIALS,
    u('ULNsToRetrieve', undefined, { key: 'ulns' }, [u('ULN', 'uln', { max: 200, key: '' })]),
  ]),
  getLearnerLearningEvents: r9(
    'GetLearnerLearningEvents',
    [
      t('invokingOrganisation', undefined, { nil: true }, INVOKING_ORG_R10),
      t('userType', 'userType', { nil: true }),
      t('vendorID', 'int', { key: 'vendorId' }),
      t('language', 'language', { nil: true }),
      t('uln', 'uln', { nil: true }),
      t('givenName', 'nameNonEmpty', { nil: true }),
      t('familyName', 'nameNonEmpty', { nil: true }),
      t('dateOfBirth', 'dateOrEmpty', { nil: true }),
      t('gender', 'genderOrEmpty', { nil: true }),
      t('getType', 'getType', { nil: true }),
    ],
    'getLearnerLearningEvents',
  ),
  learnerByUlnR9: r9(
    'LearnerByUln',
    [
      t('invokingOrganisation', undefined, { nil: true }, INVOKING_ORG),
      t('userType', 'userType', { nil: true }),
      t('vendorId', 'int'),
      t('language', 'language', { nil: true }),
      t('uln', 'uln', { nil: true }),
      t('givenName', 'nameNonEmpty', { nil: true }),
      t('familyName', 'nameNonEmpty', { nil: true }),
      t('findType', 'findType', { nil: true }),
    ],
    'learnerByUlnR9',
  ),
  submitAchievementBatchJob: ext(
    'SubmitAchievementBatchJob',
    [
      s('invokingUser', undefined, { min: 0, nil: true, key: 'identity' }, EXTERNAL_USER),
      s('emailAddress', 'email', { min: 0, nil: true }),
      s('submissionType', 'text', { min: 0, nil: true }),
      s('achievements', undefined, { min: 0, nil: true }, [
        s('Achievement', undefined, { min: 0, max: 10_000, key: '' }, ACHIEVEMENT),
      ]),
    ],
    'submitAchievementBatchJob',
  ),
  getAchievementBatchJob: ext(
    'GetAchievementBatchJob',
    [
      s('invokingUser', undefined, { min: 0, nil: true, key: 'identity' }, EXTERNAL_USER),
      s('jobId', 'int', { min: 0, nil: true }),
    ],
    'getAchievementBatchJob',
  ),
} as const satisfies Record<string, MessageSpec>;

export type OperationName = keyof typeof MESSAGES;
export const OPERATION_NAMES = Object.keys(MESSAGES) as OperationName[];

/** Options for validateMessage. */
export interface ValidateOptions {
  /**
   * Check the ULN check digit (default true). The real LRS schema checks only the pattern, so a simulator
   * imitating its WSEC0001 faults may pass false.
   */
  checkDigit?: boolean;
}

/**
 * Every problem with a wire object against a message description (occurs, nil, rules), in document order.
 * Paths use camelCase keys (`learner.dateOfBirth`, `learners[3].uln`). Messages never contain values.
 */
export function validateMessage(
  spec: MessageSpec,
  value: WireObject,
  o: ValidateOptions = {},
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  validateFields(spec.fields, value, '', problems, o.checkDigit ?? true);
  return problems;
}

/** The XSD-only ULN rules a simulator uses when imitating the real schema validation. */
const WITHOUT_CHECK_DIGIT: Partial<Record<RuleName, RuleName>> = {
  uln: 'ulnPattern',
  ulnOrEmpty: 'ulnPatternOrEmpty',
};

function joinPath(prefix: string, key: string): string {
  if (key === '') return prefix;
  return prefix === '' ? key : `${prefix}.${key}`;
}

function validateFields(
  fields: readonly FieldSpec[],
  obj: WireObject,
  prefix: string,
  out: FieldProblem[],
  checkDigit: boolean,
): void {
  for (const f of fields) {
    const path = joinPath(prefix, f.key);
    const raw = obj[f.name];
    const items = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    if (items.length < f.min) {
      out.push({
        field: path || f.name,
        message: f.min === 1 ? 'is required' : `needs at least ${f.min} entries`,
      });
      continue;
    }
    if (items.length > f.max) {
      out.push({ field: path || f.name, message: `may have at most ${f.max} entries` });
      continue;
    }
    items.forEach((item, i) => {
      const p = f.max > 1 ? `${path}[${i}]` : path;
      if (item === null) {
        if (!f.nillable) out.push({ field: p, message: 'is required (cannot be nil)' });
      } else if (f.children) {
        if (typeof item !== 'object' || Array.isArray(item))
          out.push({ field: p, message: 'must be a group of fields' });
        else validateFields(f.children, item, p, out, checkDigit);
      } else if (typeof item !== 'string') {
        out.push({ field: p, message: 'must be text' });
      } else if (f.rule) {
        const rule = checkDigit ? f.rule : (WITHOUT_CHECK_DIGIT[f.rule] ?? f.rule);
        const problem = checkRule(rule, item);
        if (problem) out.push({ field: p, message: problem });
      }
    });
  }
}
