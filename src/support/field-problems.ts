/**
 * A request's field problems (outcome.problems: the fields the relay refused before sending, or the LRS's
 * schema refused) as rows a person reads: the field in words, the rule it broke, and its value, the value
 * only for staff who may see the learner's personal data. For the others the rule's wording is cleared of
 * the request's own values too, since a rule's text may quote what it refused.
 */
import { createRedactor } from '../requests/redact.ts';
import { learnerValueLabel } from './labels.ts';
import { MATCH_FIELDS } from './match.ts';

export interface FieldProblemRow {
  /** The field's path as recorded (`dateOfBirth`, `learner.dateOfBirth`). */
  field: string;
  /** The field in words, when it has a name in the comparison table. */
  label: string | null;
  /** The rule it broke, in the relay's (or the schema's) words. */
  rule: string;
  /** What the request held there; null when withheld from this viewer; '' when the field was missing. */
  value: string | null;
}

const LABELS: ReadonlyMap<string, string> = new Map(MATCH_FIELDS.map(([field, label]) => [field, label]));

function valueAt(payload: unknown, path: string): unknown {
  let at: unknown = payload;
  for (const key of path.split('.')) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
    ? String(v)
    : JSON.stringify(v);
}

/** Reads stored problems ({ field, message }[]; anything else is left out) for a viewer. */
export function readFieldProblems(o: {
  problems: unknown;
  payload: unknown;
  personalData: boolean;
}): FieldProblemRow[] {
  if (!Array.isArray(o.problems)) return [];
  const redact = o.personalData ? (s: string) => s : createRedactor([o.payload]);
  return o.problems.flatMap((p: unknown): FieldProblemRow[] => {
    if (typeof p !== 'object' || p === null) return [];
    const { field, message } = p as { field?: unknown; message?: unknown };
    if (typeof field !== 'string' || typeof message !== 'string') return [];
    const last = field.split('.').at(-1) ?? field;
    // The exact path first, then the last part (the LRS's paths nest what the payload holds flat).
    const raw = valueAt(o.payload, field) ?? valueAt(o.payload, last);
    return [
      {
        field,
        label: LABELS.get(last) ?? null,
        rule: o.personalData ? message : redact(message).replace(/received '[^']*'/g, 'received a value'),
        value: o.personalData ? learnerValueLabel(last, text(raw)) : null,
      },
    ];
  });
}
