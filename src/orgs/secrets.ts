/**
 * Secret references: an organisation's LRS password and certificate passphrase are never typed on the
 * command line and never stored in clear. The operator names where the secret lives —
 *   `env:NAME`   an environment variable of the worker process, read each time it is needed;
 *   `file:/path` a file such as a mounted Kubernetes/Docker secret, read each time (line breaks trimmed);
 *   `stdin`      read once by `orgs add/update` and stored encrypted (AES-256-GCM under SECRETS_KEY).
 * The database holds only the reference or the ciphertext (lrs.organisation.password_ref).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ORG_ERROR_CODES, OrganisationError } from './errors.ts';

/** What lrs.organisation stores for one secret. */
export type SecretRef =
  | { kind: 'env'; name: string }
  | { kind: 'file'; path: string }
  | { kind: 'encrypted'; v: 1; iv: string; tag: string; data: string };

/** What an operator may pass on the command line. `stdin` becomes an `encrypted` SecretRef. */
export type SecretInput = { kind: 'env'; name: string } | { kind: 'file'; path: string } | { kind: 'stdin' };

export const SECRET_REF_SCHEMA = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('env'), name: z.string().min(1) }),
  z.object({ kind: z.literal('file'), path: z.string().min(1) }),
  z.object({
    kind: z.literal('encrypted'),
    v: z.literal(1),
    iv: z.string(),
    tag: z.string(),
    data: z.string(),
  }),
]);

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Binds ciphertexts to their purpose so a value cannot be lifted into another context unnoticed. */
const AAD = Buffer.from('lrs-relay:organisation-secret:v1');

/**
 * Parses `env:NAME`, `file:/path` or `stdin`. Anything else is taken to be a secret typed in clear:
 * the error says how to pass it instead and never repeats the value.
 */
export function parseSecretInput(text: string, option: string): SecretInput {
  if (text === 'stdin' || text === '-') return { kind: 'stdin' };
  if (text.startsWith('env:')) {
    const name = text.slice(4);
    if (!ENV_NAME.test(name)) {
      throw new OrganisationError(
        ORG_ERROR_CODES.INVALID_INPUT,
        `${option}: "env:" must be followed by an environment variable name such as LRS_PASSWORD_10000001`,
      );
    }
    return { kind: 'env', name };
  }
  if (text.startsWith('file:')) {
    const path = text.slice(5);
    if (path === '')
      throw new OrganisationError(
        ORG_ERROR_CODES.INVALID_INPUT,
        `${option}: "file:" must be followed by a path such as /run/secrets/lrs-password`,
      );
    return { kind: 'file', path };
  }
  throw new OrganisationError(
    ORG_ERROR_CODES.PLAIN_SECRET,
    `${option} looks like a secret typed in clear; it was not stored. Pass a reference instead: ` +
      `${option} env:NAME (an environment variable the workers have), ${option} file:/path (e.g. a mounted secret) ` +
      `or ${option} stdin (piped in and stored encrypted under SECRETS_KEY). Clear the shell history if the value was typed.`,
  );
}

/** How a reference is shown to people: the variable name or path, never a value. */
export function describeSecretRef(ref: SecretRef): string {
  switch (ref.kind) {
    case 'env':
      return `env:${ref.name}`;
    case 'file':
      return `file:${ref.path}`;
    case 'encrypted':
      return 'stored encrypted';
  }
}

function keyBuffer(secretsKey: string | undefined, organisation: string | undefined): Buffer {
  if (secretsKey === undefined) {
    throw new OrganisationError(
      ORG_ERROR_CODES.SECRETS_KEY_MISSING,
      'SECRETS_KEY is not set, so a secret cannot be stored or read encrypted. Set SECRETS_KEY to 64 hex characters ' +
        '(openssl rand -hex 32) in every lrs-relay process, or pass the secret as env:NAME or file:/path instead.',
      { organisation },
    );
  }
  return Buffer.from(secretsKey, 'hex');
}

/** Encrypts a secret with AES-256-GCM (random 96-bit IV, 128-bit tag). `secretsKey` is 64 hex characters. */
export function encryptSecret(plain: string, secretsKey: string | undefined): SecretRef {
  const key = keyBuffer(secretsKey, undefined);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(AAD);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return {
    kind: 'encrypted',
    v: 1,
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
}

/** Decrypts an `encrypted` reference. A wrong SECRETS_KEY or altered ciphertext fails the GCM tag check. */
export function decryptSecret(
  ref: Extract<SecretRef, { kind: 'encrypted' }>,
  secretsKey: string | undefined,
  organisation?: string,
): string {
  const key = keyBuffer(secretsKey, organisation);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(ref.iv, 'base64'));
    decipher.setAAD(AAD);
    decipher.setAuthTag(Buffer.from(ref.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(ref.data, 'base64')), decipher.final()]).toString(
      'utf8',
    );
  } catch (e) {
    throw new OrganisationError(
      ORG_ERROR_CODES.SECRET_UNREADABLE,
      `${organisation ? `organisation ${organisation}: ` : ''}the stored encrypted secret could not be decrypted: SECRETS_KEY differs from the key it was stored with, or the row was altered. Store it again with \`lrs-relay orgs update … stdin\`.`,
      { organisation, reference: 'stored encrypted', cause: e },
    );
  }
}

/** Mounted secrets usually end with a newline (`echo … > file`); the secret itself never does. */
function trimLineBreaks(s: string): string {
  return s.replace(/[\r\n]+$/, '');
}

export interface ResolveSecretContext {
  /** The organisation, for messages, e.g. `10000001 (North College)`. */
  organisation: string;
  /** What the secret is, for messages: `LRS password`, `certificate passphrase`. */
  what: string;
  /** Where `env:` references are read (the process environment of the worker). */
  env: Readonly<Record<string, string | undefined>>;
  secretsKey: string | undefined;
}

/** Reads the value a reference points at. Errors name the organisation and the reference, never a value. */
export async function resolveSecret(ref: SecretRef, c: ResolveSecretContext): Promise<string> {
  const described = describeSecretRef(ref);
  const fail = (why: string, cause?: unknown): never => {
    throw new OrganisationError(
      ORG_ERROR_CODES.SECRET_UNREADABLE,
      `organisation ${c.organisation}: the ${c.what} (${described}) cannot be read: ${why}`,
      {
        organisation: c.organisation,
        reference: described,
        cause,
      },
    );
  };
  switch (ref.kind) {
    case 'env': {
      const v = c.env[ref.name];
      if (v === undefined || v === '')
        return fail(`environment variable ${ref.name} is not set in this process`);
      return v;
    }
    case 'file': {
      let text: string;
      try {
        text = await readFile(ref.path, 'utf8');
      } catch (e) {
        const code = (e as { code?: string }).code;
        return fail(
          code === 'ENOENT'
            ? 'the file does not exist'
            : code === 'EACCES'
              ? 'permission denied'
              : `read failed (${code ?? 'error'})`,
          e,
        );
      }
      const v = trimLineBreaks(text);
      if (v === '') return fail('the file is empty');
      return v;
    }
    case 'encrypted':
      return decryptSecret(ref, c.secretsKey, c.organisation);
  }
}

/** Reads all of stdin once (for `stdin` references), trimming the final line break. */
export async function readSecretFromStream(stream: NodeJS.ReadableStream, what: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  const v = trimLineBreaks(Buffer.concat(chunks).toString('utf8'));
  if (v === '')
    throw new OrganisationError(
      ORG_ERROR_CODES.INVALID_INPUT,
      `the ${what} was to come from stdin, but stdin was empty`,
    );
  return v;
}
