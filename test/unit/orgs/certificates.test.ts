import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  daysUntilExpiry,
  isExpiringSoon,
  loadCertificate,
  registerCertificateExpiryGauge,
  type CertificateRef,
} from '../../../src/orgs/certificates.ts';
import { ORG_ERROR_CODES, OrganisationError } from '../../../src/orgs/errors.ts';
import {
  createCertificateFolder,
  opensslDate,
  type CertificateFolder,
  type MadeCertificate,
} from './make-certificates.ts';

const ORG = '10000001 (North College)';
const PFX_PASS = 'pfx-Passphrase-1';
const KEY_PASS = 'key-Passphrase-2';
const passphrases: Record<string, string> = { PFX_PASS, KEY_PASS, WRONG: 'not-the-passphrase' };
const ctx = {
  organisation: ORG,
  resolvePassphrase: async (ref: { kind: string; name?: string }) => passphrases[ref.name ?? ''] ?? '',
};
const env = (name: string) => ({ kind: 'env' as const, name });

async function failure(ref: CertificateRef, now?: Date): Promise<OrganisationError> {
  try {
    await loadCertificate(ref, { ...ctx, now });
  } catch (e) {
    expect(e).toBeInstanceOf(OrganisationError);
    const err = e as OrganisationError;
    expect(err.message).toContain(`organisation ${ORG}`);
    for (const p of Object.values(passphrases)) expect(err.message).not.toContain(p);
    return err;
  }
  throw new Error('expected the certificate to be refused');
}

describe('loadCertificate', () => {
  let folder: CertificateFolder;
  let good: MadeCertificate;
  let other: MadeCertificate;
  let encrypted: MadeCertificate;
  let expired: MadeCertificate;
  let future: MadeCertificate;
  let nearExpiry: MadeCertificate;
  let legacy: MadeCertificate;

  beforeAll(async () => {
    folder = await createCertificateFolder();
    [good, other, encrypted, expired, future, nearExpiry, legacy] = await Promise.all([
      folder.make('good', { pfxPassphrase: PFX_PASS }),
      folder.make('other'),
      folder.make('encrypted', { keyPassphrase: KEY_PASS }),
      folder.make('expired', {
        startDate: '20200101000000Z',
        endDate: '20210101000000Z',
        pfxPassphrase: PFX_PASS,
      }),
      folder.make('future', { startDate: '20400101000000Z', endDate: '20410101000000Z' }),
      folder.make('near', { days: 5 }),
      folder.make('legacy', { pfxPassphrase: PFX_PASS, pfxLegacy: true }),
    ]);
  }, 60_000);
  afterAll(async () => {
    await folder.remove();
  });

  it('loads a PFX with its passphrase and reads its validity', async () => {
    const c = await loadCertificate(
      { format: 'pfx', path: good.pfxPath ?? '', passphraseRef: env('PFX_PASS') },
      ctx,
    );
    expect('pfx' in c.tls).toBe(true);
    expect(c.subject).toContain('CN=good');
    expect(daysUntilExpiry(c.notAfter)).toBeGreaterThanOrEqual(363);
  });

  it('loads a PEM key and certificate, with an encrypted key and its passphrase', async () => {
    const plain = await loadCertificate(
      { format: 'pem', keyPath: good.keyPath, certPath: good.certPath },
      ctx,
    );
    expect('cert' in plain.tls).toBe(true);
    const enc = await loadCertificate(
      {
        format: 'pem',
        keyPath: encrypted.keyPath,
        certPath: encrypted.certPath,
        passphraseRef: env('KEY_PASS'),
      },
      ctx,
    );
    expect(enc.subject).toContain('CN=encrypted');
  });

  it('loads a legacy PFX (RC2/3DES, openssl pkcs12 -export -legacy) that Node alone cannot read', async () => {
    const c = await loadCertificate(
      { format: 'pfx', path: legacy.pfxPath ?? '', passphraseRef: env('PFX_PASS') },
      ctx,
    );
    expect(c.subject).toContain('CN=legacy');
    expect(daysUntilExpiry(c.notAfter)).toBeGreaterThanOrEqual(363);
    // Decrypted in memory and handed on as PEM: the key and its own certificate.
    if (!('key' in c.tls)) throw new Error('expected PEM credentials');
    expect(String(c.tls.key)).toMatch(/^-----BEGIN (RSA )?PRIVATE KEY-----/);
    expect(String(c.tls.cert)).toBe(readFileSync(legacy.certPath, 'utf8'));
  });

  it('refuses a wrong or missing passphrase for a legacy PFX as a passphrase problem', async () => {
    const wrong = await failure({ format: 'pfx', path: legacy.pfxPath ?? '', passphraseRef: env('WRONG') });
    expect(wrong.code).toBe(ORG_ERROR_CODES.CERTIFICATE_PASSPHRASE);
    expect(wrong.message).toContain('the passphrase (env:WRONG) does not open the PFX');
    expect((await failure({ format: 'pfx', path: legacy.pfxPath ?? '' })).code).toBe(
      ORG_ERROR_CODES.CERTIFICATE_PASSPHRASE,
    );
  });

  it('refuses a wrong PFX passphrase', async () => {
    const e = await failure({ format: 'pfx', path: good.pfxPath ?? '', passphraseRef: env('WRONG') });
    expect(e.code).toBe(ORG_ERROR_CODES.CERTIFICATE_PASSPHRASE);
    expect(e.message).toContain('env:WRONG');
  });

  it('refuses a PFX that needs a passphrase when none is configured', async () => {
    expect((await failure({ format: 'pfx', path: good.pfxPath ?? '' })).code).toBe(
      ORG_ERROR_CODES.CERTIFICATE_PASSPHRASE,
    );
  });

  it('refuses a wrong or missing PEM key passphrase', async () => {
    expect(
      (
        await failure({
          format: 'pem',
          keyPath: encrypted.keyPath,
          certPath: encrypted.certPath,
          passphraseRef: env('WRONG'),
        })
      ).code,
    ).toBe(ORG_ERROR_CODES.CERTIFICATE_PASSPHRASE);
    expect(
      (await failure({ format: 'pem', keyPath: encrypted.keyPath, certPath: encrypted.certPath })).code,
    ).toBe(ORG_ERROR_CODES.CERTIFICATE_PASSPHRASE);
  });

  it('refuses a key that does not belong to the certificate', async () => {
    const e = await failure({ format: 'pem', keyPath: other.keyPath, certPath: good.certPath });
    expect(e.code).toBe(ORG_ERROR_CODES.CERTIFICATE_KEY_MISMATCH);
    expect(e.message).toContain(other.keyPath);
  });

  it('refuses an expired certificate (PEM and PFX)', async () => {
    const pem = await failure({ format: 'pem', keyPath: expired.keyPath, certPath: expired.certPath });
    expect(pem.code).toBe(ORG_ERROR_CODES.CERTIFICATE_EXPIRED);
    expect(pem.message).toContain('2021-01-01');
    expect(
      (await failure({ format: 'pfx', path: expired.pfxPath ?? '', passphraseRef: env('PFX_PASS') })).code,
    ).toBe(ORG_ERROR_CODES.CERTIFICATE_EXPIRED);
  });

  it('refuses a certificate that is not valid yet', async () => {
    const e = await failure({ format: 'pem', keyPath: future.keyPath, certPath: future.certPath });
    expect(e.code).toBe(ORG_ERROR_CODES.CERTIFICATE_NOT_YET_VALID);
    expect(e.message).toContain('2040-01-01');
  });

  it('refuses unreadable and non-certificate files, naming the path', async () => {
    const missing = await failure({ format: 'pfx', path: `${folder.dir}/missing.pfx` });
    expect(missing.code).toBe(ORG_ERROR_CODES.CERTIFICATE_UNREADABLE);
    expect(missing.message).toContain('missing.pfx');
    expect((await failure({ format: 'pfx', path: good.certPath })).code).toBe(
      ORG_ERROR_CODES.CERTIFICATE_UNREADABLE,
    );
    expect((await failure({ format: 'pem', keyPath: good.keyPath, certPath: good.keyPath })).code).toBe(
      ORG_ERROR_CODES.CERTIFICATE_UNREADABLE,
    );
  });

  it('flags a certificate near expiry against the warning threshold', async () => {
    const c = await loadCertificate(
      { format: 'pem', keyPath: nearExpiry.keyPath, certPath: nearExpiry.certPath },
      ctx,
    );
    expect(daysUntilExpiry(c.notAfter)).toBe(4);
    expect(isExpiringSoon(c.notAfter, 30)).toBe(true);
    expect(isExpiringSoon(c.notAfter, 3)).toBe(false);
  });

  it('writes openssl dates the way openssl ca reads them', () => {
    expect(opensslDate(new Date('2030-02-03T04:05:06Z'))).toBe('20300203040506Z');
  });
});

describe('certificate expiry gauge', () => {
  it('reports days left per organisation at scrape time', async () => {
    const registry = new Registry();
    const now = new Date('2030-01-01T00:00:00Z');
    registerCertificateExpiryGauge({
      registry,
      now: () => now,
      listExpiries: async () => [
        { organisation: '10000001', notAfter: new Date('2030-01-11T00:00:00Z') },
        { organisation: 'ABC123', notAfter: new Date('2029-12-31T00:00:00Z') },
      ],
    });
    const text = await registry.metrics();
    expect(text).toContain('lrs_relay_certificate_expiry_days{organisation="10000001"} 10');
    expect(text).toContain('lrs_relay_certificate_expiry_days{organisation="ABC123"} -1');
  });
});
