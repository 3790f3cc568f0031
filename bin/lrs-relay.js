#!/usr/bin/env node
// Runs the compiled JavaScript in dist/ when `npm run build` made it and no source file is newer;
// otherwise runs the TypeScript sources through tsx (a development dependency: a checkout, the tests).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const compiled = join(root, 'dist', 'src', 'cli', 'main.js');

/** Newest modification time (ms) of the .ts files under dir, or 0 when there is no such folder. */
function newestSource(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) {
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

function isCompiledCurrent() {
  if (!existsSync(compiled)) return false;
  const builtAt = statSync(join(root, 'dist', 'build-info.json'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  return newestSource(join(root, 'src')) <= builtAt && newestSource(join(root, 'db')) <= builtAt;
}

if (isCompiledCurrent()) {
  await import(compiled);
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    console.error(
      existsSync(compiled)
        ? 'lrs-relay: dist/ is older than the sources and tsx is not installed; run `npm run build` again.'
        : 'lrs-relay: no compiled code in dist/ and tsx is not installed; run `npm ci && npm run build`.',
    );
    process.exit(78);
  }
  register();
  await import('../src/cli/main.ts');
}
