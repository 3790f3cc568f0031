/**
 * The catalogue of ablations: every file in test/ablations/entries/ is one entry, named by its file.
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { NamedAblation } from './types.ts';

export const ENTRIES_DIR = join(import.meta.dirname, 'entries');

const NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const REPO_PATH = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'a path from the repository root');

const ABLATION = z.strictObject({
  promise: z.string().min(10),
  switchedOff: z.string().min(5),
  edits: z.array(
    z.strictObject({
      file: REPO_PATH,
      find: z.string().min(1),
      replace: z.string(),
      count: z.number().int().positive().optional(),
    }),
  ),
  env: z.record(z.string(), z.string()).optional(),
  tests: z
    .array(z.strictObject({ file: REPO_PATH.refine((p) => p.endsWith('.test.ts')), name: z.string().min(1) }))
    .min(1),
  ci: z.boolean(),
});

/** Loads and checks every entry; throws naming the file and the problem. */
export async function loadAblations(dir = ENTRIES_DIR): Promise<NamedAblation[]> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .sort();
  const out: NamedAblation[] = [];
  for (const f of files) {
    const name = basename(f, '.ts');
    if (!NAME.test(name)) throw new Error(`test/ablations/entries/${f}: name the file in kebab-case`);
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { default?: unknown };
    const parsed = ABLATION.safeParse(mod.default);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(entry)'}: ${i.message}`).join('; ');
      throw new Error(`test/ablations/entries/${f}: ${why}`);
    }
    if (parsed.data.edits.length === 0 && !parsed.data.env) {
      throw new Error(`test/ablations/entries/${f}: give edits or env, or nothing is switched off`);
    }
    out.push({ name, ...parsed.data });
  }
  return out;
}
