/**
 * From an MIS export's columns to LRS fields: which column is which (built-in names MIS exports commonly
 * use, plus `--map col=field`), and how a cell becomes an LRS value (dd/mm/yyyy dates, sex letters, one
 * full-name column split into given and family names). Problems never quote the cell: it is personal data.
 */

/** Fields a column can map to: LRS payload fields (camelCase) plus the MIS id and a full name to split. */
export const IMPORT_FIELDS = [
  'misLearnerId',
  'fullName',
  'uln',
  'title',
  'givenName',
  'middleOtherName',
  'familyName',
  'preferredGivenName',
  'previousFamilyName',
  'familyNameAtAge16',
  'schoolAtAge16',
  'lastKnownAddressLine1',
  'lastKnownAddressLine2',
  'lastKnownAddressTown',
  'lastKnownAddressCountyOrCity',
  'lastKnownPostCode',
  'dateOfAddressCapture',
  'dateOfBirth',
  'placeOfBirth',
  'gender',
  'emailAddress',
  'nationality',
  'scottishCandidateNumber',
  'verificationType',
  'otherVerificationDescription',
  'abilityToShare',
  'notes',
  'unitOrQualificationReferenceNumber',
  'achievementAwardDate',
  'grade',
  'languageForAssessment',
  'learnerPostcode',
  'providerUkprn',
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** Common MIS column names (compared lower-case with everything but letters and digits removed). */
const ALIASES: Record<string, ImportField> = {
  studentid: 'misLearnerId',
  studentref: 'misLearnerId',
  studentno: 'misLearnerId',
  studentnumber: 'misLearnerId',
  learnerid: 'misLearnerId',
  learnerref: 'misLearnerId',
  learnerreference: 'misLearnerId',
  learnerrefnumber: 'misLearnerId',
  misid: 'misLearnerId',
  mislearnerid: 'misLearnerId',
  personid: 'misLearnerId',
  refno: 'misLearnerId',
  id: 'misLearnerId',
  name: 'fullName',
  fullname: 'fullName',
  learnername: 'fullName',
  studentname: 'fullName',
  forename: 'givenName',
  forenames: 'givenName',
  firstname: 'givenName',
  givenname: 'givenName',
  givennames: 'givenName',
  surname: 'familyName',
  lastname: 'familyName',
  familyname: 'familyName',
  middlename: 'middleOtherName',
  middlenames: 'middleOtherName',
  othernames: 'middleOtherName',
  middleothername: 'middleOtherName',
  preferredname: 'preferredGivenName',
  knownas: 'preferredGivenName',
  preferredgivenname: 'preferredGivenName',
  previoussurname: 'previousFamilyName',
  formersurname: 'previousFamilyName',
  maidenname: 'previousFamilyName',
  previousfamilyname: 'previousFamilyName',
  dob: 'dateOfBirth',
  dateofbirth: 'dateOfBirth',
  birthdate: 'dateOfBirth',
  birthday: 'dateOfBirth',
  sex: 'gender',
  gender: 'gender',
  legalsex: 'gender',
  postcode: 'lastKnownPostCode',
  postalcode: 'lastKnownPostCode',
  homepostcode: 'lastKnownPostCode',
  lastknownpostcode: 'lastKnownPostCode',
  email: 'emailAddress',
  emailaddress: 'emailAddress',
  personalemail: 'emailAddress',
  uln: 'uln',
  uniquelearnernumber: 'uln',
  title: 'title',
  schoolat16: 'schoolAtAge16',
  schoolatage16: 'schoolAtAge16',
  placeofbirth: 'placeOfBirth',
  townofbirth: 'placeOfBirth',
  addressline1: 'lastKnownAddressLine1',
  address1: 'lastKnownAddressLine1',
  addressline2: 'lastKnownAddressLine2',
  address2: 'lastKnownAddressLine2',
  town: 'lastKnownAddressTown',
  county: 'lastKnownAddressCountyOrCity',
  nationality: 'nationality',
  verificationtype: 'verificationType',
  abilitytoshare: 'abilityToShare',
  qualificationref: 'unitOrQualificationReferenceNumber',
  qan: 'unitOrQualificationReferenceNumber',
  awarddate: 'achievementAwardDate',
  grade: 'grade',
};
for (const f of IMPORT_FIELDS) ALIASES[normaliseHeader(f)] ??= f;

export function normaliseHeader(h: string): string {
  return h.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export class ImportSetupError extends Error {
  override readonly name = 'ImportSetupError';
}

/** Parses `--map` text: `dob=dateOfBirth,learner_no=misLearnerId` (a column may be mapped to `-` to ignore it). */
export function parseMapOption(text: string | undefined): Map<string, ImportField | null> {
  const out = new Map<string, ImportField | null>();
  for (const part of (text ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const eq = part.lastIndexOf('=');
    const col = eq > 0 ? part.slice(0, eq).trim() : '';
    const field = eq > 0 ? part.slice(eq + 1).trim() : '';
    if (col === '' || field === '') throw new ImportSetupError(`--map: "${part}" is not column=field`);
    if (field === '-') out.set(col, null);
    else if ((IMPORT_FIELDS as readonly string[]).includes(field)) out.set(col, field as ImportField);
    else
      throw new ImportSetupError(
        `--map: unknown LRS field "${field}"; choose from ${IMPORT_FIELDS.join(', ')} (or - to ignore the column)`,
      );
  }
  return out;
}

export interface ColumnPlan {
  /** Per CSV column index: the field it fills, or null (ignored). */
  fields: (ImportField | null)[];
  /** Columns of the header that no rule recognised (reported, then ignored). */
  ignored: string[];
}

/** Which column fills which field. Throws ImportSetupError when two columns claim one field or the id is missing. */
export function planColumns(
  header: readonly string[],
  map: ReadonlyMap<string, ImportField | null>,
): ColumnPlan {
  const byNormalised = new Map([...map].map(([k, v]) => [normaliseHeader(k), v]));
  const unknownMapped = [...map.keys()].filter(
    (k) => !header.some((h) => normaliseHeader(h) === normaliseHeader(k)),
  );
  if (unknownMapped.length > 0)
    throw new ImportSetupError(`--map names column(s) not in the file: ${unknownMapped.join(', ')}`);
  const fields = header.map((h) => {
    const n = normaliseHeader(h);
    return byNormalised.has(n) ? (byNormalised.get(n) ?? null) : (ALIASES[n] ?? null);
  });
  const seen = new Map<ImportField, string>();
  fields.forEach((f, i) => {
    if (f === null) return;
    const other = seen.get(f);
    if (other !== undefined)
      throw new ImportSetupError(
        `columns "${other}" and "${header[i] ?? ''}" both map to ${f}: choose one with --map ${header[i] ?? ''}=-`,
      );
    seen.set(f, header[i] ?? '');
  });
  if (!seen.has('misLearnerId')) {
    throw new ImportSetupError(
      'no column holds the MIS learner id (e.g. student_id): name it with --map your_column=misLearnerId',
    );
  }
  return { fields, ignored: header.filter((_h, i) => fields[i] === null) };
}

export interface CellProblem {
  field: string;
  problem: string;
}

const DATE_FIELDS: ReadonlySet<ImportField> = new Set([
  'dateOfBirth',
  'dateOfAddressCapture',
  'achievementAwardDate',
]);

/** yyyy-mm-dd, dd/mm/yyyy, dd-mm-yyyy or dd.mm.yyyy (UK order) → yyyy-MM-dd, or a problem. */
export function toIsoDate(v: string): { value: string } | { problem: string } {
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.]+Z?)?$/.exec(v);
  const uk = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})$/.exec(v);
  let y: number, m: number, d: number;
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (uk) {
    if ((uk[3] ?? '').length !== 4)
      return { problem: 'has a two-digit year: write the year in full (dd/mm/yyyy)' };
    [d, m, y] = [Number(uk[1]), Number(uk[2]), Number(uk[3])];
  } else return { problem: 'is not a date: write dd/mm/yyyy or yyyy-mm-dd' };
  const date = new Date(Date.UTC(y, m - 1, d));
  if (
    m < 1 ||
    m > 12 ||
    date.getUTCFullYear() !== y ||
    date.getUTCMonth() !== m - 1 ||
    date.getUTCDate() !== d
  ) {
    return { problem: 'is not a real date (no such day)' };
  }
  return {
    value: `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
  };
}

const GENDERS: Record<string, string> = {
  m: '1',
  male: '1',
  '1': '1',
  f: '2',
  female: '2',
  '2': '2',
  u: '0',
  unknown: '0',
  notknown: '0',
  '0': '0',
  x: '9',
  notspecified: '9',
  other: '9',
  '9': '9',
};

/** Sex letters and words → LRS gender codes (M→1, F→2, U→0, X→9). */
export function toGender(v: string): { value: string } | { problem: string } {
  const g = GENDERS[v.toLowerCase().replace(/[^a-z0-9]/g, '')];
  return g ? { value: g } : { problem: 'must be M, F, U or X (or the LRS codes 1, 2, 0, 9)' };
}

/** "Surname, Forenames" or "Forename Middle Surname" → given / middle / family. */
export function splitFullName(v: string): {
  givenName?: string;
  middleOtherName?: string;
  familyName?: string;
} {
  const comma = v.indexOf(',');
  if (comma >= 0) {
    const family = v.slice(0, comma).trim();
    const [given, ...middle] = v
      .slice(comma + 1)
      .trim()
      .split(/\s+/)
      .filter((p) => p !== '');
    return {
      familyName: family || undefined,
      givenName: given,
      middleOtherName: middle.length > 0 ? middle.join(' ') : undefined,
    };
  }
  const parts = v
    .trim()
    .split(/\s+/)
    .filter((p) => p !== '');
  if (parts.length < 2) return { givenName: parts[0] };
  return {
    givenName: parts[0],
    familyName: parts[parts.length - 1],
    middleOtherName: parts.length > 2 ? parts.slice(1, -1).join(' ') : undefined,
  };
}

// C0 controls (but tab), DEL and C1 controls: neither XML 1.0 nor Postgres jsonb carries them all safely.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/**
 * One record's cells → mis id + payload fields, with a problem per cell that cannot be read.
 * Blank cells are left out (an optional field absent, or a required one reported later as missing).
 */
export function mapRecord(
  record: readonly string[],
  plan: ColumnPlan,
): { misLearnerId?: string; fields: Record<string, string>; problems: CellProblem[] } {
  const fields: Record<string, string> = {};
  const problems: CellProblem[] = [];
  let misLearnerId: string | undefined;
  plan.fields.forEach((field, i) => {
    if (field === null) return;
    const raw = record[i] ?? '';
    if (raw.includes('\ufffd'))
      return void problems.push({
        field,
        problem: 'contains bytes that are not UTF-8 text (save the export as UTF-8)',
      });
    if (CONTROL.test(raw)) return void problems.push({ field, problem: 'contains control characters' });
    // Line breaks inside a cell are never part of an LRS value; everything else is kept as typed.
    if (/[\r\n]/.test(raw)) return void problems.push({ field, problem: 'contains a line break' });
    const v = raw.trim();
    if (v === '') return;
    if (field === 'misLearnerId') misLearnerId = v;
    else if (field === 'fullName') {
      for (const [k, part] of Object.entries(splitFullName(v)))
        if (part !== undefined && fields[k] === undefined) fields[k] = part;
    } else if (field === 'gender') {
      const g = toGender(v);
      if ('problem' in g) problems.push({ field, problem: g.problem });
      else fields.gender = g.value;
    } else if (DATE_FIELDS.has(field)) {
      const d = toIsoDate(v);
      if ('problem' in d) problems.push({ field, problem: d.problem });
      else fields[field] = d.value;
    } else if (field === 'lastKnownPostCode' || field === 'learnerPostcode') fields[field] = v.toUpperCase();
    else fields[field] = v;
  });
  return { misLearnerId, fields, problems };
}
