/**
 * The personal-data rules every layer applies, in a module that imports nothing: which payload fields
 * are personal data (the log redaction in src/log.ts and the LRS-text redaction in src/requests/redact.ts
 * read the one list), and who may see a learner's personal data (support pages, the CLI and the learner
 * rights requests of src/requests/retention.ts ask the one rule).
 */

/**
 * Every payload field that holds the learner's personal data, with how its value is written in free text
 * (`name` parts, a `date`, a `postcode`, a whole `phrase`, an `identifier`) and the marker that replaces it
 * in LRS text we keep (src/requests/redact.ts). The one list: the log redaction (src/log.ts) reads it too.
 * Gender, nationality and the code fields are not here: they are one-character or code values that match
 * ordinary text, and identify nobody on their own.
 */
export const PERSONAL_FIELDS = {
  givenName: { form: 'name', marker: 'given name' },
  familyName: { form: 'name', marker: 'family name' },
  middleOtherName: { form: 'name', marker: 'other name' },
  preferredGivenName: { form: 'name', marker: 'preferred given name' },
  previousFamilyName: { form: 'name', marker: 'previous family name' },
  familyNameAtAge16: { form: 'name', marker: 'family name at 16' },
  title: { form: 'phrase', marker: 'title' },
  dateOfBirth: { form: 'date', marker: 'date of birth' },
  lastKnownPostCode: { form: 'postcode', marker: 'postcode' },
  learnerPostcode: { form: 'postcode', marker: 'postcode' },
  emailAddress: { form: 'phrase', marker: 'email' },
  lastKnownAddressLine1: { form: 'phrase', marker: 'address' },
  lastKnownAddressLine2: { form: 'phrase', marker: 'address' },
  lastKnownAddressTown: { form: 'phrase', marker: 'address' },
  lastKnownAddressCountyOrCity: { form: 'phrase', marker: 'address' },
  placeOfBirth: { form: 'phrase', marker: 'place of birth' },
  schoolAtAge16: { form: 'phrase', marker: 'school at 16' },
  uln: { form: 'identifier', marker: 'ULN' },
  scottishCandidateNumber: { form: 'identifier', marker: 'candidate number' },
  otherVerificationDescription: { form: 'phrase', marker: 'verification description' },
  notes: { form: 'phrase', marker: 'notes' },
} as const satisfies Record<string, { form: PersonalValueForm; marker: string }>;

/** How a personal value appears in free text (see PERSONAL_FIELDS). */
export type PersonalValueForm = 'name' | 'date' | 'postcode' | 'phrase' | 'identifier';

/** Who acts, as far as personal data goes: a name for the audit, and whose learners they may see. */
export interface PersonalDataReader {
  /** Written to the audit for every action. */
  name: string;
  /** Organisations whose learners' personal data this actor may see; null = every organisation. */
  personalDataOrganisationIds: readonly number[] | null;
}

/** Whether the actor may see the personal data of an organisation's learners. */
export function canSeePersonalData(actor: PersonalDataReader, organisationId: number): boolean {
  return (
    actor.personalDataOrganisationIds === null || actor.personalDataOrganisationIds.includes(organisationId)
  );
}
