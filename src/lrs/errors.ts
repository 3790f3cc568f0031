import type { CodeClass, CodeSource } from '../codes/types.ts';

/** One field problem found by local validation, in plain words. */
export interface FieldProblem {
  /** Path of the field, e.g. `learner.dateOfBirth` or `learners[3].uln`. */
  field: string;
  message: string;
}

export interface LrsErrorOptions {
  code: string;
  codeSource: CodeSource;
  class: CodeClass;
  retryable: boolean;
  operation?: string | undefined;
  httpStatus?: number | undefined;
  /**
   * LRS fault text (Description / FurtherDetails). It may quote the learner's details in any wording:
   * the request runners redact the request's own values from it (src/requests/redact.ts) before it is kept.
   */
  description?: string | undefined;
  furtherDetails?: string | undefined;
  problems?: FieldProblem[] | undefined;
  /**
   * True when the request may have reached the LRS (timeout after send, connection reset after send).
   * Registration must search again before registering again.
   */
  ambiguous?: boolean | undefined;
  cause?: unknown;
}

/** Every failure of an LRS call: a stable code, where it came from, its class and whether to retry. */
export class LrsError extends Error {
  override readonly name = 'LrsError';
  readonly code: string;
  readonly codeSource: CodeSource;
  readonly class: CodeClass;
  readonly retryable: boolean;
  readonly operation: string | undefined;
  readonly httpStatus: number | undefined;
  readonly description: string | undefined;
  readonly furtherDetails: string | undefined;
  readonly problems: FieldProblem[];
  readonly ambiguous: boolean;

  constructor(message: string, o: LrsErrorOptions) {
    super(message, o.cause === undefined ? undefined : { cause: o.cause });
    this.code = o.code;
    this.codeSource = o.codeSource;
    this.class = o.class;
    this.retryable = o.retryable;
    this.operation = o.operation;
    this.httpStatus = o.httpStatus;
    this.description = o.description;
    this.furtherDetails = o.furtherDetails;
    this.problems = o.problems ?? [];
    this.ambiguous = o.ambiguous ?? false;
  }

  /** A JSON-safe summary (no stack, no personal data). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      code: this.code,
      codeSource: this.codeSource,
      class: this.class,
      retryable: this.retryable,
      operation: this.operation,
      httpStatus: this.httpStatus,
      description: this.description,
      furtherDetails: this.furtherDetails,
      problems: this.problems.length > 0 ? this.problems : undefined,
      ambiguous: this.ambiguous || undefined,
    };
  }
}

export function isLrsError(e: unknown): e is LrsError {
  return e instanceof LrsError;
}
