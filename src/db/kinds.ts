/**
 * The request kinds and how each can travel. One source: the outbox relay, the batch assembler, the
 * batch records and the SQL they run all derive their lists from here (and the kinds themselves come
 * from db/schema.ts, which also writes the lrs.request check constraint).
 */
import { REQUEST_KINDS, type BatchKind, type RequestKind } from '../../db/schema.ts';

export { REQUEST_KINDS, type RequestKind };

/** Request kind → the LRS batch that carries it (docs/lrs.md §4.7, §4.8, §4.13). */
export const BATCH_KIND_OF = {
  register: 'registration',
  verify: 'verify',
  achievement: 'achievement',
} as const satisfies Partial<Record<RequestKind, BatchKind>>;

/** Kinds that have a batch operation: the batch assembler takes them. */
export type BatchableKind = keyof typeof BATCH_KIND_OF;
export const BATCHABLE_KINDS = Object.keys(BATCH_KIND_OF) as BatchableKind[];

/** Batch kind → the request kind it carries: BATCH_KIND_OF turned round, never written out again. */
export const REQUEST_KIND_OF = Object.fromEntries(
  Object.entries(BATCH_KIND_OF).map(([requestKind, batchKind]) => [batchKind, requestKind]),
) as {
  [B in BatchKind]: { [R in BatchableKind]: (typeof BATCH_KIND_OF)[R] extends B ? R : never }[BatchableKind];
};

/** Kinds with no single-call operation: always batched, whatever their mode. */
export const BATCH_ONLY_KINDS = ['achievement'] as const satisfies readonly BatchableKind[];

/** Kinds that have a single-call operation (a per-kind processor in src/requests/processors.ts). */
export type SingleCallKind = Exclude<RequestKind, (typeof BATCH_ONLY_KINDS)[number]>;
export const SINGLE_CALL_KINDS = REQUEST_KINDS.filter(
  (k) => !(BATCH_ONLY_KINDS as readonly string[]).includes(k),
) as SingleCallKind[];

/**
 * Kinds that can go either way: in `auto` mode the outbox relay sends them as single calls while their
 * backlog is small and leaves them to the batch assembler when it is large.
 */
export const SINGLE_OR_BATCH_KINDS = BATCHABLE_KINDS.filter((k) =>
  (SINGLE_CALL_KINDS as readonly string[]).includes(k),
);
