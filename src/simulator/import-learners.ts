/**
 * Learners from a CSV or JSON file (`--learners`). Columns / keys are the camelCase record names
 * (uln, givenName, familyName, dateOfBirth, gender, lastKnownPostCode, … mergedInto). Loaded before start-up only.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { isValidUln } from '../lrs/uln.ts';
import type { SimLearner } from './learner-record.ts';
import { errorMessage } from '../errors.ts';

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v));

const row = z.object({
  uln: z.string().refine(isValidUln, { message: 'must be a valid ULN (10 digits, check digit)' }),
  givenName: z.string().min(1),
  familyName: z.string().min(1),
  dateOfBirth: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be yyyy-MM-dd' }),
  gender: z.enum(['0', '1', '2', '9']),
  lastKnownPostCode: z.string().min(1),
  abilityToShare: z.enum(['0', '1', '2']).default('1'),
  verificationType: z.string().default('0'),
  tierLevel: z.string().default('0'),
  learnerStatus: z.string().default('1'),
  versionNumber: z.coerce.number().int().min(1).default(1),
  createdDate: z.string().default('2020-01-01'),
  lastUpdatedDate: z.string().default('2020-01-01'),
  mergedInto: optional,
  title: optional,
  middleOtherName: optional,
  preferredGivenName: optional,
  previousFamilyName: optional,
  familyNameAtAge16: optional,
  schoolAtAge16: optional,
  lastKnownAddressLine1: optional,
  lastKnownAddressLine2: optional,
  lastKnownAddressTown: optional,
  lastKnownAddressCountyOrCity: optional,
  dateOfAddressCapture: optional,
  placeOfBirth: optional,
  emailAddress: optional,
  nationality: optional,
  scottishCandidateNumber: optional,
  otherVerificationDescription: optional,
  notes: optional,
});

/** Parses learner rows (already read from CSV or JSON). Throws naming the row and field of the first problem. */
export function parseLearnerRows(rows: unknown[]): SimLearner[] {
  const learners = rows.map((r, i) => {
    const parsed = row.safeParse(r);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(
        `learner row ${i + 1}: ${String(issue?.path[0] ?? '?')} ${issue?.message ?? 'is invalid'}`,
      );
    }
    return { ...parsed.data, linkedUlns: [] } satisfies SimLearner;
  });
  // Masters first, so merged records can attach to them.
  return [
    ...learners.filter((l) => l.mergedInto === undefined),
    ...learners.filter((l) => l.mergedInto !== undefined),
  ];
}

/** Reads `file` (.csv with a header row, or .json holding an array). */
export async function readLearnerFile(file: string): Promise<SimLearner[]> {
  const text = await readFile(file, 'utf8');
  if (file.toLowerCase().endsWith('.json')) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new Error(`${file} is not valid JSON (${errorMessage(e)})`, {
        cause: e,
      });
    }
    if (!Array.isArray(data)) throw new Error(`${file}: expected a JSON array of learners`);
    return parseLearnerRows(data);
  }
  return parseLearnerRows(parse(text, { columns: true, skip_empty_lines: true, trim: false }) as unknown[]);
}
