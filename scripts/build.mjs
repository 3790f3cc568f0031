// `npm run build`: compile src/ (and db/schema.ts) to JavaScript in dist/, then copy the files the
// compiled code reads at run time beside it, at the same relative places as in the checkout
// (dist/src/db/migrate.js finds ../../db/migrations, and so on). bin/lrs-relay.js runs dist/ when it
// is there and not older than the sources.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const ASSETS = ['db/migrations', 'db/sample-mis.sql', 'wsdl', 'scripts/ensure-services.sh'];

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
for (const asset of ASSETS) {
  mkdirSync(dirname(join(dist, asset)), { recursive: true });
  cpSync(join(root, asset), join(dist, asset), { recursive: true });
}
writeFileSync(join(dist, 'build-info.json'), JSON.stringify({ builtAt: new Date().toISOString() }) + '\n');
console.log(`built ${dist}`);
