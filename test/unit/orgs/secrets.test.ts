import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORG_ERROR_CODES, OrganisationError } from '../../../src/orgs/errors.ts';
import {
  decryptSecret,
  describeSecretRef,
  encryptSecret,
  parseSecretInput,
  readSecretFromStream,
  resolveSecret,
  type SecretRef,
} from '../../../src/orgs/secrets.ts';

const KEY = 'a'.repeat(64);
const OTHER_KEY = 'b'.repeat(64);
const SECRET = 'Zq8!vR2#pL5@wK9$';
const ctx = (env: Record<string, string | undefined> = {}, secretsKey: string | undefined = KEY) => ({
  organisation: '10000001 (North College)',
  what: 'LRS password',
  env,
  secretsKey,
});

async function errorOf(p: Promise<unknown> | (() => unknown)): Promise<OrganisationError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(OrganisationError);
    return e as OrganisationError;
  }
  throw new Error('expected an OrganisationError');
}

describe('parseSecretInput', () => {
  it('reads env:, file: and stdin references', () => {
    expect(parseSecretInput('env:LRS_PASSWORD_A', '--password')).toEqual({
      kind: 'env',
      name: 'LRS_PASSWORD_A',
    });
    expect(parseSecretInput('file:/run/secrets/lrs', '--password')).toEqual({
      kind: 'file',
      path: '/run/secrets/lrs',
    });
    expect(parseSecretInput('stdin', '--password')).toEqual({ kind: 'stdin' });
  });

  it('refuses a password typed in clear, says how to pass it, and never repeats it', async () => {
    const e = await errorOf(() => parseSecretInput(SECRET, '--password'));
    expect(e.code).toBe(ORG_ERROR_CODES.PLAIN_SECRET);
    expect(e.message).toContain('env:NAME');
    expect(e.message).toContain('file:/path');
    expect(e.message).toContain('stdin');
    expect(e.message).not.toContain(SECRET);
    expect(JSON.stringify(e)).not.toContain(SECRET);
  });

  it('refuses a malformed env: name', async () => {
    expect((await errorOf(() => parseSecretInput('env:1 bad', '--password'))).code).toBe(
      ORG_ERROR_CODES.INVALID_INPUT,
    );
  });
});

describe('encrypted secrets', () => {
  it('round-trips with AES-256-GCM and stores no plain text', () => {
    const ref = encryptSecret(SECRET, KEY);
    expect(JSON.stringify(ref)).not.toContain(SECRET);
    expect(ref.kind).toBe('encrypted');
    if (ref.kind !== 'encrypted') throw new Error('unreachable');
    expect(decryptSecret(ref, KEY)).toBe(SECRET);
    // A fresh IV each time: the same secret never gives the same ciphertext.
    expect((encryptSecret(SECRET, KEY) as { data: string }).data).not.toBe(ref.data);
    expect(describeSecretRef(ref)).toBe('stored encrypted');
  });

  it('refuses to encrypt without SECRETS_KEY', async () => {
    expect((await errorOf(() => encryptSecret(SECRET, undefined))).code).toBe(
      ORG_ERROR_CODES.SECRETS_KEY_MISSING,
    );
  });

  it('fails clearly with the wrong key or an altered ciphertext', async () => {
    const ref = encryptSecret(SECRET, KEY) as Extract<SecretRef, { kind: 'encrypted' }>;
    const wrongKey = await errorOf(resolveSecret(ref, ctx({}, OTHER_KEY)));
    expect(wrongKey.code).toBe(ORG_ERROR_CODES.SECRET_UNREADABLE);
    expect(wrongKey.message).toContain('10000001 (North College)');
    const data = Buffer.from(ref.data, 'base64');
    data[0] = (data[0] ?? 0) ^ 1;
    expect((await errorOf(resolveSecret({ ...ref, data: data.toString('base64') }, ctx()))).code).toBe(
      ORG_ERROR_CODES.SECRET_UNREADABLE,
    );
  });
});

describe('resolveSecret', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lrs-secrets-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads an environment variable at use time', async () => {
    expect(await resolveSecret({ kind: 'env', name: 'PW' }, ctx({ PW: SECRET }))).toBe(SECRET);
  });

  it('names the organisation and the variable when it is unset, without any value', async () => {
    const e = await errorOf(resolveSecret({ kind: 'env', name: 'LRS_PASSWORD_A' }, ctx({ OTHER: SECRET })));
    expect(e.code).toBe(ORG_ERROR_CODES.SECRET_UNREADABLE);
    expect(e.message).toMatch(/organisation 10000001 \(North College\).*env:LRS_PASSWORD_A.*not set/);
    expect(e.reference).toBe('env:LRS_PASSWORD_A');
  });

  it('reads a mounted secret file and trims its final line break', async () => {
    const path = join(dir, 'pw');
    await writeFile(path, `${SECRET}\n`);
    expect(await resolveSecret({ kind: 'file', path }, ctx())).toBe(SECRET);
  });

  it('names the file when it is missing or empty', async () => {
    const missing = await errorOf(resolveSecret({ kind: 'file', path: join(dir, 'nope') }, ctx()));
    expect(missing.message).toContain(`file:${join(dir, 'nope')}`);
    expect(missing.message).toContain('does not exist');
    const empty = join(dir, 'empty');
    await writeFile(empty, '\n');
    expect((await errorOf(resolveSecret({ kind: 'file', path: empty }, ctx()))).message).toContain('empty');
  });

  it('reads stdin once, trimming the line break', async () => {
    expect(await readSecretFromStream(Readable.from([Buffer.from(`${SECRET}\r\n`)]), 'LRS password')).toBe(
      SECRET,
    );
    await expect(readSecretFromStream(Readable.from([]), 'LRS password')).rejects.toThrow(/stdin was empty/);
  });
});
