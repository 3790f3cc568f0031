import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { errorMessage } from '../../src/errors.ts';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sourceFiles(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

describe('errorMessage', () => {
  it("gives an Error's message and any other thrown value as text", () => {
    expect(errorMessage(new TypeError('bad input'))).toBe('bad input');
    expect(errorMessage('plain string')).toBe('plain string');
    expect(errorMessage(42)).toBe('42');
    expect(errorMessage(undefined)).toBe('undefined');
  });

  it('is the only copy: no file under src/ spells the instanceof-Error-else-String idiom inline', () => {
    const inline = /(\w+) instanceof Error \? \1\.message : String\(\1\)/;
    const offenders = sourceFiles(SRC).filter(
      (f) => !f.endsWith(`${'/'}errors.ts`) && inline.test(readFileSync(f, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});
