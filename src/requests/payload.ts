/**
 * Reads a stored request payload as the input its kind needs. MIS triggers send loosely typed JSON
 * (numbers for gender, dates as text), so scalars are coerced to trimmed-right strings; the LRS client
 * then validates every field against the MIAP rules before anything is sent.
 */
import { z } from 'zod';
import type { Demographics, LearnerToRegister } from '../lrs/types.ts';
import type { FieldProblem } from '../lrs/errors.ts';

const str = z.preprocess(
  (v) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v),
  z.string({ message: 'must be text' }),
);
const opt = z.preprocess((v) => (v === null || v === '' ? undefined : v), str.optional());

const DEMOGRAPHICS = {
  givenName: str,
  familyName: str,
  dateOfBirth: str,
  gender: str,
  lastKnownPostCode: str,
  previousFamilyName: opt,
  schoolAtAge16: opt,
  placeOfBirth: opt,
  emailAddress: opt,
};

const LEARNER_OPTIONAL = {
  title: opt,
  middleOtherName: opt,
  preferredGivenName: opt,
  familyNameAtAge16: opt,
  lastKnownAddressLine1: opt,
  lastKnownAddressLine2: opt,
  lastKnownAddressTown: opt,
  lastKnownAddressCountyOrCity: opt,
  dateOfAddressCapture: opt,
  nationality: opt,
  scottishCandidateNumber: opt,
  otherVerificationDescription: opt,
  notes: opt,
};

export const PAYLOADS = {
  find_by_uln: z.object({ uln: str, givenName: str, familyName: str }),
  find_by_demographics: z.object(DEMOGRAPHICS),
  register: z.object({ ...DEMOGRAPHICS, ...LEARNER_OPTIONAL, verificationType: opt, abilityToShare: opt }),
  update: z.object({
    uln: str,
    ...DEMOGRAPHICS,
    ...LEARNER_OPTIONAL,
    verificationType: opt,
    abilityToShare: opt,
  }),
  verify: z.object({ uln: str, givenName: str, familyName: str, dateOfBirth: opt, gender: opt }),
  learning_events: z.object({ uln: str, givenName: str, familyName: str, dateOfBirth: opt, gender: opt }),
  achievement: z
    .object({
      uln: str,
      givenName: str,
      familyName: str,
      dateOfBirth: opt,
      gender: opt,
      unitOrQualificationReferenceNumber: str,
      achievementAwardDate: str,
      action: opt,
      actionDate: opt,
      actionReason: opt,
      grade: opt,
      languageForAssessment: opt,
      learnerPostcode: opt,
      providerUkprn: opt,
    })
    .passthrough(),
} as const;
export type PayloadOf<K extends keyof typeof PAYLOADS> = z.infer<(typeof PAYLOADS)[K]>;

export type ParsedPayload<K extends keyof typeof PAYLOADS> =
  { ok: true; value: PayloadOf<K> } | { ok: false; problems: FieldProblem[] };

export function parsePayload<K extends keyof typeof PAYLOADS>(kind: K, payload: unknown): ParsedPayload<K> {
  const r = PAYLOADS[kind].safeParse(payload);
  if (r.success) return { ok: true, value: r.data as PayloadOf<K> };
  return {
    ok: false,
    problems: r.error.issues.map((i) => ({
      field: i.path.join('.') || '(payload)',
      message: i.code === 'invalid_type' && i.input === undefined ? 'is required' : i.message,
    })),
  };
}

export function demographicsOf(p: PayloadOf<'find_by_demographics'>): Demographics {
  return {
    givenName: p.givenName,
    familyName: p.familyName,
    dateOfBirth: p.dateOfBirth,
    gender: p.gender,
    lastKnownPostCode: p.lastKnownPostCode,
    previousFamilyName: p.previousFamilyName,
    schoolAtAge16: p.schoolAtAge16,
    placeOfBirth: p.placeOfBirth,
    emailAddress: p.emailAddress,
  };
}

/** The LearnerToRegister from a register payload; missing verificationType/abilityToShare are left for validation to name. */
export function learnerToRegisterOf(p: PayloadOf<'register'>): LearnerToRegister {
  const { verificationType, abilityToShare, ...rest } = p;
  return { ...rest, verificationType: verificationType ?? '', abilityToShare: abilityToShare ?? '' };
}
