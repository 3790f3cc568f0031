/**
 * Client certificates for mutual TLS with the LRS: PKCS#12 (PFX + passphrase) or PEM key + certificate.
 * Everything that can be wrong with one is found when it is loaded, not at the first handshake, and
 * reported naming the organisation: unreadable file, wrong passphrase, key not matching the
 * certificate, expired, not yet valid. Expiry is also exposed as a Prometheus gauge so an alert can
 * fire well before the LRS starts refusing the handshake.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext, TLSSocket } from 'node:tls';
import { Gauge, type Registry } from 'prom-client';
import { z } from 'zod';
import type { LrsTlsCredentials } from '../lrs/types.ts';
import { ORG_ERROR_CODES, OrganisationError, type OrgErrorCode } from './errors.ts';
import { describeSecretRef, SECRET_REF_SCHEMA, type SecretRef } from './secrets.ts';
import { errorMessage } from '../errors.ts';
import { isUnsupportedPfxAlgorithm, LegacyPfxError, readLegacyPfx } from './legacy-pfx.ts';

/** What lrs.organisation.certificate_ref stores: file locations and a passphrase reference, never key material. */
export type CertificateRef =
  | { format: 'pfx'; path: string; passphraseRef?: SecretRef | undefined }
  | { format: 'pem'; keyPath: string; certPath: string; passphraseRef?: SecretRef | undefined };

export const CERTIFICATE_REF_SCHEMA = z.discriminatedUnion('format', [
  z.object({
    format: z.literal('pfx'),
    path: z.string().min(1),
    passphraseRef: SECRET_REF_SCHEMA.optional(),
  }),
  z.object({
    format: z.literal('pem'),
    keyPath: z.string().min(1),
    certPath: z.string().min(1),
    passphraseRef: SECRET_REF_SCHEMA.optional(),
  }),
]);

/** A certificate that passed every check, ready to hand to the LRS client. */
export interface LoadedCertificate {
  tls: LrsTlsCredentials;
  notBefore: Date;
  notAfter: Date;
  /** Subject DN, for `orgs show` (an organisation's certificate subject is not personal data). */
  subject: string;
  /** SHA-256 fingerprint, for matching what the LRS service desk has on record. */
  fingerprint256: string;
}

export interface LoadCertificateContext {
  /** The organisation, for messages, e.g. `10000001 (North College)`. */
  organisation: string;
  /** Reads the passphrase reference (see secrets.ts resolveSecret). */
  resolvePassphrase: (ref: SecretRef) => Promise<string>;
  now?: Date | undefined;
}

const DAY_MS = 86_400_000;

/** Whole days from `now` until `notAfter` (negative once expired). */
export function daysUntilExpiry(notAfter: Date, now: Date = new Date()): number {
  return Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
}

/** True when fewer than `warningDays` whole days remain (CERT_EXPIRY_WARNING_DAYS). */
export function isExpiringSoon(notAfter: Date, warningDays: number, now: Date = new Date()): boolean {
  return daysUntilExpiry(notAfter, now) < warningDays;
}

export function describeCertificateRef(ref: CertificateRef): string {
  const pass = ref.passphraseRef ? `, passphrase ${describeSecretRef(ref.passphraseRef)}` : '';
  return ref.format === 'pfx'
    ? `PFX ${ref.path}${pass}`
    : `PEM key ${ref.keyPath}, certificate ${ref.certPath}${pass}`;
}

function errorText(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  const message = errorMessage(e);
  return `${typeof code === 'string' ? code : ''} ${message}`;
}

const isPassphraseFailure = (e: unknown): boolean =>
  /mac verify failure|bad decrypt|BAD_DECRYPT|MISSING_PASSPHRASE|interrupted or cancelled|bad password/i.test(
    errorText(e),
  );
const isKeyMismatch = (e: unknown): boolean => /KEY_VALUES_MISMATCH|key values mismatch/i.test(errorText(e));

async function readCertificateFile(path: string, what: string, organisation: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why =
      code === 'ENOENT'
        ? 'the file does not exist'
        : code === 'EACCES'
          ? 'permission denied'
          : `read failed (${code ?? 'error'})`;
    throw new OrganisationError(
      ORG_ERROR_CODES.CERTIFICATE_UNREADABLE,
      `organisation ${organisation}: the client ${what} ${path} cannot be read: ${why}`,
      {
        organisation,
        cause: e,
      },
    );
  }
}

function fail(code: OrgErrorCode, organisation: string, message: string, cause?: unknown): never {
  throw new OrganisationError(code, `organisation ${organisation}: ${message}`, { organisation, cause });
}

/** A PFX that needs a passphrase none was given for, or one the given passphrase does not open. */
function failPassphrase(
  ref: Extract<CertificateRef, { format: 'pfx' }>,
  passphrase: string | undefined,
  organisation: string,
  cause: unknown,
): never {
  fail(
    ORG_ERROR_CODES.CERTIFICATE_PASSPHRASE,
    organisation,
    passphrase === undefined
      ? `the PFX ${ref.path} needs a passphrase and none is configured (--passphrase)`
      : `the passphrase (${ref.passphraseRef ? describeSecretRef(ref.passphraseRef) : '?'}) does not open the PFX ${ref.path}`,
    cause,
  );
}

/** Reads the certificate a PFX carries: OpenSSL has parsed it into the context, a TLSSocket hands it back. */
function certificateOfContext(context: ReturnType<typeof createSecureContext>): X509Certificate | undefined {
  const socket = new TLSSocket(null as unknown as never, { secureContext: context });
  try {
    const peer = socket.getCertificate();
    return peer && 'raw' in peer && Buffer.isBuffer(peer.raw) ? new X509Certificate(peer.raw) : undefined;
  } finally {
    socket.destroy();
  }
}

function parseValidity(x509: X509Certificate, organisation: string): { notBefore: Date; notAfter: Date } {
  const notBefore = new Date(Date.parse(x509.validFrom));
  const notAfter = new Date(Date.parse(x509.validTo));
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) {
    fail(
      ORG_ERROR_CODES.CERTIFICATE_UNREADABLE,
      organisation,
      'the client certificate has validity dates that cannot be read',
    );
  }
  return { notBefore, notAfter };
}

async function loadPfx(
  ref: Extract<CertificateRef, { format: 'pfx' }>,
  passphrase: string | undefined,
  organisation: string,
) {
  const pfx = await readCertificateFile(ref.path, 'certificate (PFX)', organisation);
  let context: ReturnType<typeof createSecureContext>;
  try {
    context = createSecureContext({ pfx, passphrase, minVersion: 'TLSv1.2' });
  } catch (e) {
    if (isUnsupportedPfxAlgorithm(e)) return loadLegacyPfx(ref, pfx, passphrase, organisation, e);
    if (isKeyMismatch(e))
      fail(
        ORG_ERROR_CODES.CERTIFICATE_KEY_MISMATCH,
        organisation,
        `the private key in ${ref.path} does not belong to its certificate`,
        e,
      );
    if (isPassphraseFailure(e)) {
      failPassphrase(ref, passphrase, organisation, e);
    }
    fail(
      ORG_ERROR_CODES.CERTIFICATE_UNREADABLE,
      organisation,
      `${ref.path} is not a readable PKCS#12 (PFX) file`,
      e,
    );
  }
  const x509 = certificateOfContext(context);
  if (!x509)
    fail(
      ORG_ERROR_CODES.CERTIFICATE_UNREADABLE,
      organisation,
      `the PFX ${ref.path} holds no client certificate`,
    );
  return { x509, tls: { pfx, passphrase } satisfies LrsTlsCredentials };
}

/**
 * A PFX encrypted with RC2 or 3DES, which Node's OpenSSL 3 no longer reads: decrypted by node-forge into a
 * key and certificate kept in memory, and handed to the transport as PEM (legacy-pfx.ts).
 */
function loadLegacyPfx(
  ref: Extract<CertificateRef, { format: 'pfx' }>,
  pfx: Buffer,
  passphrase: string | undefined,
  organisation: string,
  nodeError: unknown,
) {
  let pem: { key: string; cert: string };
  try {
    pem = readLegacyPfx(pfx, passphrase);
  } catch (e) {
    if (e instanceof LegacyPfxError && e.reason === 'passphrase') {
      failPassphrase(ref, passphrase, organisation, e);
    }
    fail(
      ORG_ERROR_CODES.CERTIFICATE_UNREADABLE,
      organisation,
      `${ref.path} is a PKCS#12 (PFX) file with legacy encryption (RC2/3DES) that cannot be used: ${e instanceof LegacyPfxError ? e.message : errorMessage(e)}`,
      new AggregateError([nodeError, e]),
    );
  }
  try {
    createSecureContext({ key: pem.key, cert: pem.cert, minVersion: 'TLSv1.2' });
  } catch (e) {
    fail(
      ORG_ERROR_CODES.CERTIFICATE_UNREADABLE,
      organisation,
      `the key and certificate in ${ref.path} cannot be used for TLS`,
      e,
    );
  }
  return { x509: new X509Certificate(pem.cert), tls: pem satisfies LrsTlsCredentials };
}

async function loadPem(
  ref: Extract<CertificateRef, { format: 'pem' }>,
  passphrase: string | undefined,
  organisation: string,
) {
  const certPem = await readCertificateFile(ref.certPath, 'certificate', organisation);
  const keyPem = await readCertificateFile(ref.keyPath, 'private key', organisation);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(certPem);
  } catch (e) {
    fail(
      ORG_ERROR_CODES.CERTIFICATE_UNREADABLE,
      organisation,
      `${ref.certPath} is not a readable PEM certificate`,
      e,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: keyPem, passphrase });
  } catch (e) {
    if (isPassphraseFailure(e)) {
      fail(
        ORG_ERROR_CODES.CERTIFICATE_PASSPHRASE,
        organisation,
        passphrase === undefined
          ? `the private key ${ref.keyPath} is encrypted and no passphrase is configured (--passphrase)`
          : `the passphrase (${ref.passphraseRef ? describeSecretRef(ref.passphraseRef) : '?'}) does not decrypt the private key ${ref.keyPath}`,
        e,
      );
    }
    fail(
      ORG_ERROR_CODES.CERTIFICATE_UNREADABLE,
      organisation,
      `${ref.keyPath} is not a readable PEM private key`,
      e,
    );
  }
  if (!x509.checkPrivateKey(key)) {
    fail(
      ORG_ERROR_CODES.CERTIFICATE_KEY_MISMATCH,
      organisation,
      `the private key ${ref.keyPath} does not belong to the certificate ${ref.certPath}`,
    );
  }
  try {
    createSecureContext({ key: keyPem, cert: certPem, passphrase, minVersion: 'TLSv1.2' });
  } catch (e) {
    if (isKeyMismatch(e))
      fail(
        ORG_ERROR_CODES.CERTIFICATE_KEY_MISMATCH,
        organisation,
        `the private key ${ref.keyPath} does not belong to the certificate ${ref.certPath}`,
        e,
      );
    fail(
      ORG_ERROR_CODES.CERTIFICATE_UNREADABLE,
      organisation,
      `the key and certificate cannot be used for TLS`,
      e,
    );
  }
  return { x509, tls: { key: keyPem, cert: certPem, passphrase } satisfies LrsTlsCredentials };
}

/**
 * Loads and checks a client certificate. Throws OrganisationError (CERTIFICATE_UNREADABLE,
 * CERTIFICATE_PASSPHRASE, CERTIFICATE_KEY_MISMATCH, CERTIFICATE_EXPIRED, CERTIFICATE_NOT_YET_VALID,
 * or SECRET_UNREADABLE for the passphrase reference), each naming the organisation.
 */
export async function loadCertificate(
  ref: CertificateRef,
  c: LoadCertificateContext,
): Promise<LoadedCertificate> {
  const passphrase = ref.passphraseRef ? await c.resolvePassphrase(ref.passphraseRef) : undefined;
  const { x509, tls } =
    ref.format === 'pfx'
      ? await loadPfx(ref, passphrase, c.organisation)
      : await loadPem(ref, passphrase, c.organisation);
  const { notBefore, notAfter } = parseValidity(x509, c.organisation);
  const now = c.now ?? new Date();
  if (notAfter.getTime() <= now.getTime()) {
    fail(
      ORG_ERROR_CODES.CERTIFICATE_EXPIRED,
      c.organisation,
      `the client certificate expired on ${notAfter.toISOString()}; ask the LRS service desk for a new one and run \`lrs-relay orgs update\``,
    );
  }
  if (notBefore.getTime() > now.getTime()) {
    fail(
      ORG_ERROR_CODES.CERTIFICATE_NOT_YET_VALID,
      c.organisation,
      `the client certificate is not valid until ${notBefore.toISOString()} (check the clock, or wait)`,
    );
  }
  return {
    tls,
    notBefore,
    notAfter,
    subject: x509.subject.replace(/\n/g, ', '),
    fingerprint256: x509.fingerprint256,
  };
}

/** One organisation's certificate expiry, as the gauge reports it. */
export interface CertificateExpiry {
  /** UKPRN or organisation reference (the metric label). */
  organisation: string;
  notAfter: Date;
}

/**
 * Registers `lrs_relay_certificate_expiry_days{organisation}` on `registry`: days (fractional) until each
 * organisation's client certificate expires, read at scrape time via `listExpiries` (e.g. from Postgres
 * with `listCertificateExpiries`, so the value is right even in a process that has not loaded the certificate).
 */
export function registerCertificateExpiryGauge(o: {
  registry: Registry;
  listExpiries: () => Promise<CertificateExpiry[]>;
  now?: () => Date;
}): Gauge<'organisation'> {
  const now = o.now ?? (() => new Date());
  return new Gauge({
    name: 'lrs_relay_certificate_expiry_days',
    help: "Days until the organisation's LRS client certificate expires (negative once expired)",
    labelNames: ['organisation'] as const,
    registers: [o.registry],
    async collect() {
      const expiries = await o.listExpiries();
      this.reset();
      const t = now().getTime();
      for (const e of expiries)
        this.set(
          { organisation: e.organisation },
          Math.round(((e.notAfter.getTime() - t) / DAY_MS) * 100) / 100,
        );
    },
  });
}
