/**
 * The MIAP simple-type rules (docs/lrs.md §3.1) as small pure functions. The LRS still validates
 * LearnerService.svc requests with the strict legacy MIAP XSD, so checking these first turns a
 * WSEC0001 fault into a local, explained refusal.
 *
 * Every rule takes the string as it would go on the wire and returns a plain-words problem
 * ("must be 1–35 characters") or undefined when the value is fine. Messages never quote the value:
 * they end up in logs and error messages, and the value may be personal data.
 *
 * Usage: `RULES.postcode('CV4 9EE')` → undefined; `checkRule('date', '2001-02-29')` → 'must be a real date …'.
 */
import { describeUlnProblem, ULN_PATTERN } from './uln.ts';

export type RuleCheck = (value: string) => string | undefined;

/** XML Schema's `\s` is only space, tab, CR and LF; JavaScript's is wider, so spell it out. */
const HAS_NON_BLANK = /[^ \t\r\n]/;

const maxLen =
  (n: number): RuleCheck =>
  (v) =>
    v.length > n ? `must be at most ${n} characters` : undefined;

const oneOf =
  (values: readonly string[], orEmpty = false): RuleCheck =>
  (v) =>
    (orEmpty && v === '') || values.includes(v)
      ? undefined
      : `must be one of ${values.join(', ')}${orEmpty ? ' (or empty)' : ''}`;

const orEmpty =
  (rule: RuleCheck): RuleCheck =>
  (v) =>
    v === '' ? undefined : rule(v);

function nameNonEmpty(v: string): string | undefined {
  if (v.length < 1 || v.length > 35) return 'must be 1–35 characters';
  if (!HAS_NON_BLANK.test(v)) return 'must not be blank';
  return undefined;
}

/**
 * MIAPDate: `yyyy-MM-dd`, year 1800–2099, month lengths enforced. The XSD allows 29 February whenever the
 * two-digit year part is divisible by 4 — so 1800-02-29 and 1900-02-29 pass although they never existed.
 * We follow the XSD, not the calendar, because that is what the LRS accepts.
 */
function date(v: string): string | undefined {
  const m = /^(18|19|20)([0-9]{2})-([0-9]{2})-([0-9]{2})$/.exec(v);
  if (!m) return 'must be a date written yyyy-MM-dd with a year from 1800 to 2099';
  const yy = Number(m[2]);
  const month = Number(m[3]);
  const day = Number(m[4]);
  if (month < 1 || month > 12) return 'must be a real date (month 01–12)';
  const days = [31, yy % 4 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  if (day < 1 || day > days) return 'must be a real date (day out of range for the month)';
  return undefined;
}

function dateTime(v: string): string | undefined {
  const m = /^([0-9]{4}-[0-9]{2}-[0-9]{2}) ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$/.exec(v);
  if (!m || date(m[1] ?? '') !== undefined) return 'must be a date and time written yyyy-MM-dd HH:mm:ss';
  return undefined;
}

/**
 * xs:dateTime (R9 and External services): `yyyy-MM-ddTHH:mm:ss[.fff][zone]`; the time is required, as
 * in the schema. The client writes a MIS date as `yyyy-MM-ddT00:00:00` first (dates.ts), so the problem
 * speaks of what the MIS may send.
 */
function isoDateTime(v: string): string | undefined {
  const m =
    /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,7})?(Z|[+-][0-9]{2}:[0-9]{2})?$/.exec(
      v,
    );
  const problem = 'must be a date: a MIS date or timestamp, or text written yyyy-MM-dd';
  if (!m) return problem;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3]) || Number(m[1]) < 1)
    return `${problem} (this one is not a real date)`;
  return undefined;
}

const POSTCODE =
  /^[a-zA-Z]{1,2}[0-9rR][0-9a-zA-Z]? ?[0-9][abdefghjlnpqrstuwxyzABDEFGHJLNPQRSTUWXYZ]{2} {0,4}$/;
const BFPO = /^[bB][fF][pP][oO] ?[0-9]{1,4} {0,4}$/;

/** MIAPPostCode: UK postcode (inward letters never C I K M O V) or BFPO number, ≤9 characters incl. up to 4 trailing spaces. */
function postcode(v: string): string | undefined {
  if (v.length > 9) return 'must be at most 9 characters';
  if (POSTCODE.test(v) || BFPO.test(v)) return undefined;
  return 'must be a UK postcode such as CV4 9EE or a BFPO number such as BFPO 123';
}

const EMAIL_ATOM = "[a-zA-Z0-9!#$%'*+\\-/=?^_`{|}~]+";
const EMAIL_LABEL = '[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z0-9]';
const EMAIL = new RegExp(
  `^${EMAIL_ATOM}(\\.${EMAIL_ATOM})*@${EMAIL_LABEL}(\\.${EMAIL_LABEL})*\\.[a-zA-Z]{2,6}$`,
);

/** MIAPEmail: ≤254, the XSD's address pattern (every domain label ≥2 characters, TLD 2–6 letters), or empty. */
function email(v: string): string | undefined {
  if (v === '') return undefined;
  if (v.length > 254) return 'must be at most 254 characters';
  return EMAIL.test(v) ? undefined : 'must be an e-mail address such as name@example.ac.uk (or empty)';
}

function orgPassword(v: string): string | undefined {
  if (v.length !== 16) return 'must be exactly 16 characters';
  if (!HAS_NON_BLANK.test(v)) return 'must not be blank';
  return undefined;
}

const alnum = (n: number): RuleCheck => {
  const pattern = new RegExp(`^[0-9a-zA-Z]{${n}}$`);
  return (v) => (pattern.test(v) ? undefined : `must be exactly ${n} letters or digits`);
};

/** ULN with check digit (docs/lrs.md §6). The XSD checks only the pattern; see `ulnPattern`. */
function uln(v: string): string | undefined {
  return describeUlnProblem(v);
}

/** The XSD's own ULN rule (no check digit): what the real LRS schema-validates. */
function ulnPattern(v: string): string | undefined {
  return ULN_PATTERN.test(v) ? undefined : 'must be 10 digits, the first not 0';
}

const intRange =
  (min: number, max: number): RuleCheck =>
  (v) =>
    /^-?[0-9]+$/.test(v) && Number(v) >= min && Number(v) <= max
      ? undefined
      : `must be a whole number from ${min} to ${max}`;

/** Every rule by name. Message descriptions (messages.ts) refer to these names. */
export const RULES = {
  /** MIAPNameNonEmpty: 1–35 characters, not all blank. Also UserName. */
  nameNonEmpty,
  /** MIAPName: 0–35 characters. */
  name: maxLen(35),
  userName: nameNonEmpty,
  orgPassword,
  /** MIAPUKPRN: exactly 8 letters/digits. */
  ukprn: alnum(8),
  /** MIAPOrganisationRef: exactly 6 letters/digits. */
  organisationRef: alnum(6),
  uln,
  ulnOrEmpty: orEmpty(uln),
  ulnPattern,
  ulnPatternOrEmpty: orEmpty(ulnPattern),
  date,
  dateOrEmpty: orEmpty(date),
  dateTime,
  isoDateTime,
  gender: oneOf(['0', '1', '2', '9']),
  genderOrEmpty: oneOf(['0', '1', '2', '9'], true),
  postcode,
  postcodeOrEmpty: orEmpty(postcode),
  email,
  schoolName: maxLen(254),
  address: maxLen(50),
  nationality: maxLen(3),
  scottishCandidateNumber: (v: string) =>
    v === '' || /^[0-9]{9}$/.test(v) ? undefined : 'must be exactly 9 digits (or empty)',
  verificationType: oneOf(['0', '1', '2', '3', '4', '5', '6', '7', '999']),
  verificationTypeOrEmpty: oneOf(['0', '1', '2', '3', '4', '5', '6', '7', '999'], true),
  otherVerificationDescription: maxLen(255),
  abilityToShare: oneOf(['0', '1', '2']),
  abilityToShareOrEmpty: oneOf(['0', '1', '2'], true),
  tierLevel: oneOf(['0', '1', '2']),
  learnerStatus: oneOf(['0', '1', '2']),
  notes: maxLen(4000),
  misIdentifier: maxLen(128),
  findType: oneOf(['FUL', 'CHK']),
  userType: oneOf(['LNR', 'ORG', 'SER']),
  language: (v: string) =>
    /^[A-Z]{3}$/.test(v) ? undefined : 'must be a three-letter language code such as ENG',
  getType: (v: string) => (/^[A-Z]{1,10}$/.test(v) ? undefined : 'must be a get type such as FULL'),
  /** SubmitBatch LearnerRecordCount (MIAPLearnerRecordCount 1–200). */
  learnerRecordCount: intRange(1, 200),
  /** SubmitVerifyBatch LearnerRecordCount: the 5,000 ULN limit wins over the XSD's leftover 200 (docs/lrs.md §7.2). */
  verifyRecordCount: intRange(1, 5000),
  /** xs:long job id as the LRS issues it (positive). */
  jobIdLong: (v: string) => (/^[1-9][0-9]{0,18}$/.test(v) ? undefined : 'must be a positive whole number'),
  /** xs:int. */
  int: intRange(-2147483648, 2147483647),
  /** Free text with no rule of its own (the WCF schema's xs:string). */
  text: maxLen(100_000),
} as const satisfies Record<string, RuleCheck>;

export type RuleName = keyof typeof RULES;

/**
 * The XML Schema built-in type (local name) a value written by each rule has on the wire, where it is
 * not `string`: what `lrs-relay wsdl check` compares with a WSDL's element types (contract.ts).
 */
export const RULE_XSD_TYPES: { readonly [R in RuleName]?: string } = {
  int: 'int',
  learnerRecordCount: 'int',
  verifyRecordCount: 'int',
  jobIdLong: 'long',
  isoDateTime: 'dateTime',
};

/** The XML Schema built-in type of a rule's values: `string` unless RULE_XSD_TYPES says otherwise. */
export function xsdTypeOfRule(rule: RuleName): string {
  return RULE_XSD_TYPES[rule] ?? 'string';
}

/** Applies one rule by name. */
export function checkRule(rule: RuleName, value: string): string | undefined {
  return RULES[rule](value);
}
