/**
 * The shape of one ablation: a promise the project makes, the smallest change that breaks it while the
 * code still compiles, and the tests that must then fail. See test/ablations/README.md.
 */

/** One search/replace edit in one file of the working tree. */
export interface AblationEdit {
  /** Path from the repository root, e.g. `src/requests/processors.ts`. */
  file: string;
  /** Exact text to find (not a pattern). Make it long enough to be unique in the file. */
  find: string;
  /** What replaces it. */
  replace: string;
  /** How many times `find` must occur in the file (default 1); every occurrence is replaced. */
  count?: number;
}

/** A test that must fail with the feature switched off. */
export interface AblationTest {
  /** Test file path from the repository root. */
  file: string;
  /**
   * The test's title, or its full name (describe titles and title joined by spaces). Every test it
   * matches must run and fail; if none runs, the entry is missed.
   */
  name: string;
}

export interface Ablation {
  /** The promise, with where it is made: `README: …`, `issue 27: …`, `docs/security.md: …`. */
  promise: string;
  /** What the change switches off, in a few words. */
  switchedOff: string;
  /** The edits that switch it off (may be empty when `env` does it). */
  edits: AblationEdit[];
  /** Environment given to the test run (a switch the code already reads). */
  env?: Record<string, string>;
  /** The tests that must fail. Name each one: a whole file would be caught by any failure in it. */
  tests: AblationTest[];
  /** Run on every CI run (`npm run ablate -- --ci`); the others run with plain `npm run ablate`. */
  ci: boolean;
}

/** An entry as the catalogue lists it: its name is its file's name. */
export interface NamedAblation extends Ablation {
  name: string;
}

/** Identity helper that type-checks an entry file's default export. */
export function defineAblation(a: Ablation): Ablation {
  return a;
}
