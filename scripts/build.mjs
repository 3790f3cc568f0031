// `npm run build`: compile src/ (and db/schema.ts) to JavaScript in dist/, then copy the files the
// compiled code reads at run time beside it, at the same relative places as in the checkout
// (dist/src/db/migrate.js finds ../../db/migrations, and so on). bin/lrs-relay.js runs dist/ when it
// is there and not older than the sources.
//
// A working dist/ is never removed before its replacement is complete: the new build is made in
// dist.next/ (beside dist/, so the source maps' relative paths hold) and swapped in by two renames
// (dist/ to dist.old/, dist.next/ to dist/) only when it compiled and every asset is beside it. When the build cannot run (the development dependencies
// were pruned with `npm prune --omit=dev`) or fails, it says what to do and dist/ stays as it was.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const staging = join(root, 'dist.next');
const retired = join(root, 'dist.old');
const ASSETS = ['db/migrations', 'db/functions', 'db/sample-mis.sql', 'wsdl', 'scripts/ensure-services.sh'];
const kept = existsSync(join(dist, 'src', 'cli', 'main.js'))
  ? 'dist/ was left as it was: the installed build still runs.'
  : 'There is no build in dist/ yet.';

function fail(lines) {
  for (const line of lines) console.error(`lrs-relay build: ${line}`);
  process.exit(1);
}

// The compiler and the type packages are development dependencies: `npm prune --omit=dev` removes them.
const { devDependencies = {} } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const needed = Object.keys(devDependencies).filter(
  (name) => name === 'typescript' || name.startsWith('@types/'),
);
const missing = needed.filter((name) => !existsSync(join(root, 'node_modules', name, 'package.json')));
if (missing.length > 0) {
  fail([
    `the development dependencies the build needs are not installed (missing: ${missing.join(', ')});`,
    'they were probably removed by `npm prune --omit=dev`.',
    kept,
    'To build: `npm ci` (installs them), `npm run build`, then `npm prune --omit=dev` again',
    '(docs/operations.md, "Upgrading").',
  ]);
}

rmSync(staging, { recursive: true, force: true });
rmSync(retired, { recursive: true, force: true });
try {
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', staging],
    { cwd: root, stdio: 'inherit' },
  );
  for (const asset of ASSETS) {
    mkdirSync(dirname(join(staging, asset)), { recursive: true });
    cpSync(join(root, asset), join(staging, asset), { recursive: true });
  }
  writeFileSync(
    join(staging, 'build-info.json'),
    JSON.stringify({ builtAt: new Date().toISOString() }) + '\n',
  );
} catch (e) {
  rmSync(staging, { recursive: true, force: true });
  fail([
    `the build failed (${e instanceof Error ? e.message.split('\n')[0] : String(e)}; the compiler's own report is above).`,
    kept,
    'Fix what it reports (after `git pull`: `npm ci` first, the dependencies may have changed), then run `npm run build` again.',
  ]);
}

if (existsSync(dist)) renameSync(dist, retired);
renameSync(staging, dist);
rmSync(retired, { recursive: true, force: true });
console.log(`built ${dist}`);
