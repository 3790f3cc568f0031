#!/usr/bin/env node
// Runs the compiled JavaScript in dist/ when `npm run build` made it and no source file is newer;
// otherwise runs the TypeScript sources through tsx (a development dependency: a checkout, the tests).
// An installation without tsx (pruned with `npm prune --omit=dev`) whose sources changed after the
// build (a `git pull` before the new build) keeps running the build it has, and says so on stderr.
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

const builtAt = statSync(join(root, 'dist', 'build-info.json'), { throwIfNoEntry: false })?.mtimeMs ?? 0;

function isCompiledCurrent() {
  if (!existsSync(compiled)) return false;
  return newestSource(join(root, 'src')) <= builtAt && newestSource(join(root, 'db')) <= builtAt;
}

if (isCompiledCurrent()) {
  await import(compiled);
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    if (!existsSync(compiled)) {
      console.error(
        'lrs-relay: no compiled code in dist/ and tsx is not installed; run `npm ci && npm run build`.',
      );
      process.exit(78);
    }
  }
  if (register) {
    register();
    await import('../src/cli/main.ts');
  } else {
    const built = new Date(builtAt).toISOString().slice(0, 16).replace('T', ' ');
    console.error(
      `lrs-relay: warning: the sources changed after dist/ was built (${built} UTC); running that build.\n` +
        'lrs-relay: to run the new code: `npm ci && npm run build`, `lrs-relay migrate`, restart the relay,\n' +
        'lrs-relay: then `npm prune --omit=dev` (docs/operations.md, "Upgrading").',
    );
    await import(compiled);
  }
}
