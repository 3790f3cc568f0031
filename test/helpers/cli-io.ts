/**
 * A CLI io for tests: records what a command prints, answers its questions from a list. `lines` holds
 * standard output (and standard error too with `errorsInLines`, for tests that check everything shown).
 */
import type { CliIo } from '../../src/cli/kit.ts';

export interface FakeIo extends CliIo {
  lines: string[];
  errors: string[];
  progressLines: string[];
}

export function createFakeIo(
  o: { interactive?: boolean; answers?: string[]; secrets?: string[]; errorsInLines?: boolean } = {},
): FakeIo {
  const answers = [...(o.answers ?? [])];
  const secrets = [...(o.secrets ?? [])];
  const io: FakeIo = {
    lines: [],
    errors: [],
    progressLines: [],
    isInteractive: o.interactive ?? false,
    out: (l: string) => void io.lines.push(l),
    err: (l: string) => void (o.errorsInLines ? io.lines : io.errors).push(l),
    ask: async () => answers.shift() ?? '',
    readSecret: async () => secrets.shift() ?? '',
    progress: (l: string) => void io.progressLines.push(l),
  };
  return io;
}
