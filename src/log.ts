/**
 * One pino root logger per process; everything else takes a child (`log.child({ requestId, … })`).
 * Personal data and secrets are redacted by path wherever they appear, at any depth up to three levels.
 */
import { pino, type Logger, type LevelWithSilent, type DestinationStream } from 'pino';
import { PERSONAL_FIELDS } from './personal-data.ts';

/**
 * Field names that carry personal data or secrets: the payload's personal fields (one list,
 * PERSONAL_FIELDS), the LRS's PascalCase names for them, other spellings, and whole learner records.
 */
export const REDACTED_KEYS = [
  'password',
  'orgPassword',
  'OrgPassword',
  'passphrase',
  'secret',
  'token',
  'authorization',
  'cookie',
  'pfx',
  'key',
  'cert',
  ...Object.keys(PERSONAL_FIELDS),
  'GivenName',
  'FamilyName',
  'DateOfBirth',
  'dob',
  'LastKnownPostCode',
  'postcode',
  'postCode',
  'EmailAddress',
  'email',
  'address',
  'payload',
  'learner',
  'learners',
  'candidates',
] as const;

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const k of REDACTED_KEYS) paths.push(k, `*.${k}`, `*.*.${k}`);
  return paths;
}

export type { Logger, LevelWithSilent };

/** Creates the process's root logger. `destination` is for tests. */
export function createLogger(
  o: { level?: LevelWithSilent; name?: string } = {},
  destination?: DestinationStream,
): Logger {
  return pino(
    {
      name: o.name ?? 'lrs-relay',
      level: o.level ?? 'info',
      redact: { paths: redactPaths(), censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}
