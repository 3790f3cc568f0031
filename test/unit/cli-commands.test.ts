/**
 * The command table in src/cli/main.ts is the one list of commands and their summaries: every command
 * module under src/cli/ is in it, and no module keeps a summary of its own that `--help` would not show.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../src/cli/', import.meta.url));
const main = readFileSync(`${CLI}main.ts`, 'utf8');
const modules = readdirSync(CLI)
  .filter((f) => f.endsWith('.ts') && f !== 'main.ts')
  .map((f) => ({ file: f, text: readFileSync(`${CLI}${f}`, 'utf8') }));

describe('the lrs-relay command table', () => {
  it('lists every command module (a file exporting run) once', () => {
    const commands = modules.filter((m) => /export (async )?function run\(/.test(m.text));
    expect(commands.length).toBeGreaterThan(10);
    for (const m of commands) {
      const loads = main.split(`import('./${m.file}')`).length - 1;
      expect(loads, `${m.file} is a command module but src/cli/main.ts does not load it`).toBe(1);
    }
  });

  it('is the only place with command summaries', () => {
    for (const m of modules) {
      expect(
        /export const summary\b/.test(m.text),
        `${m.file} exports a summary; put it in the COMMANDS table of src/cli/main.ts instead`,
      ).toBe(false);
    }
  });
});
