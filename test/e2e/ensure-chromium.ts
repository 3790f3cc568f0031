/**
 * Makes sure Debian's chromium is installed for the browser tests: installs it with apt-get when it
 * is missing (as root, or through sudo). Throws — never skips — when it cannot be installed, so a
 * machine without a browser fails the end-to-end test loudly instead of passing it silently.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a quiet, sandbox-free headless run in CI containers. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Returns the chromium path, installing the Debian package first when it is missing. */
export function ensureChromium(): string {
  if (isExecutable(CHROMIUM_PATH)) return CHROMIUM_PATH;
  const asRoot = process.getuid?.() === 0;
  const apt = (args: string[]) =>
    asRoot
      ? execFileSync('apt-get', args, {
          stdio: 'inherit',
          env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
        })
      : execFileSync('sudo', ['-n', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args], {
          stdio: 'inherit',
        });
  try {
    apt(['update', '-qq']);
    apt(['install', '-y', '-qq', 'chromium']);
  } catch (e) {
    throw new Error(
      `chromium is missing and \`apt-get install -y chromium\` failed: install it, then run the tests again`,
      { cause: e },
    );
  }
  if (!isExecutable(CHROMIUM_PATH))
    throw new Error(`apt-get installed chromium but ${CHROMIUM_PATH} is not there`);
  return CHROMIUM_PATH;
}

if (process.argv[1]?.endsWith('ensure-chromium.ts')) ensureChromium();
