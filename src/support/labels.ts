/**
 * The words a person reads in place of stored values: request statuses and kinds, and the LRS's coded
 * learner fields. One table each; a value missing from a table is shown as it is stored.
 */
import type { BatchKind, BatchStatus, RequestKind, RequestStatus } from '../../db/schema.ts';

export const STATUS_LABELS = {
  pending: 'Waiting to be queued',
  queued: 'Queued',
  in_progress: 'In progress',
  batched: 'In a batch',
  held: 'Held (waits for a verify)',
  succeeded: 'Succeeded',
  needs_action: 'Needs action',
  rejected: 'Rejected (never sent)',
  failed: 'Failed',
  cancelled: 'Cancelled',
} as const satisfies Record<RequestStatus, string>;

export const KIND_LABELS = {
  find_by_uln: 'Find by ULN',
  find_by_demographics: 'Find by details',
  register: 'Register',
  update: 'Update',
  verify: 'Verify',
  learning_events: 'Learning record',
  achievement: 'Achievement',
} as const satisfies Record<RequestKind, string>;

export const BATCH_KIND_LABELS = {
  registration: 'Registrations',
  verify: 'Verifications',
  achievement: 'Achievements',
} as const satisfies Record<BatchKind, string>;

export const BATCH_STATUS_LABELS = {
  assembled: 'Assembled (not sent yet)',
  submitting: 'Being sent',
  submitted: 'Sent, waiting for the LRS',
  fetching: 'Fetching the results',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
} as const satisfies Record<BatchStatus, string>;

/** The LRS's gender codes (docs/lrs.md). */
export const GENDER_LABELS: Readonly<Record<string, string>> = {
  '0': 'Not known',
  '1': 'Male',
  '2': 'Female',
  '9': 'Not specified',
};

/** The LRS's learner status codes: the LRS does not publish their meanings (docs/lrs.md). */
export const LEARNER_STATUS_LABELS: Readonly<Record<string, string>> = {
  '0': 'Status 0 (the LRS does not publish its meaning)',
  '1': 'Status 1, the usual one (the LRS does not publish its meaning)',
  '2': 'Status 2 (the LRS does not publish its meaning)',
};

function lookUp(table: Readonly<Record<string, string>>, value: string): string {
  return Object.hasOwn(table, value) ? (table[value] as string) : value;
}

export const statusLabel = (status: string): string => lookUp(STATUS_LABELS, status);
export const kindLabel = (kind: string): string => lookUp(KIND_LABELS, kind);
export const batchKindLabel = (kind: string): string => lookUp(BATCH_KIND_LABELS, kind);
export const batchStatusLabel = (status: string): string => lookUp(BATCH_STATUS_LABELS, status);

/** A coded learner field's value in words, with the code beside it ("Female (2)"); other fields as they are. */
export function learnerValueLabel(field: string, value: string): string {
  const table = field === 'gender' ? GENDER_LABELS : field === 'learnerStatus' ? LEARNER_STATUS_LABELS : null;
  if (table === null || value === '' || !Object.hasOwn(table, value)) return value;
  return `${table[value] as string} (${value})`;
}

/** How long ago, in the largest unit that fits: "40 s", "12 min", "5 h", "3 d". */
export function formatAge(from: Date, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - from.getTime()) / 1000));
  if (s < 90) return `${s} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}
