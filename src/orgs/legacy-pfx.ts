/**
 * PKCS#12 files encrypted with RC2 or 3DES (`openssl pkcs12 -export -legacy`, and the default of many Windows
 * certificate exports). OpenSSL 3, which Node 20 uses, no longer loads those algorithms by default, so Node's
 * own reader fails with "Unsupported PKCS12 PFX data". node-forge, a pure-JS reader, decrypts them into a
 * private key and certificates as PEM, in memory only (nothing is written to disk). Modern PFX files stay on
 * Node's path; this is the fallback for that one error.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { errorMessage } from '../errors.ts';

/** Why a legacy PFX could not be read: the passphrase does not open it, or it is not a PFX we can use. */
export class LegacyPfxError extends Error {
  override readonly name = 'LegacyPfxError';
  constructor(
    readonly reason: 'passphrase' | 'unreadable' | 'no-key' | 'no-certificate',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The key and certificates of a PFX as PEM: `cert` is the key's certificate first, then the rest (its chain). */
export interface PemPair {
  key: string;
  cert: string;
}

/** True when Node's reader refused a PFX for its encryption algorithm (not for its passphrase or shape). */
export function isUnsupportedPfxAlgorithm(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : '';
  return (
    code === 'ERR_CRYPTO_UNSUPPORTED_OPERATION' ||
    /Unsupported PKCS12 PFX data|unsupported|RC2|DES/i.test(message)
  );
}

/** PKCS#12 bag types (RFC 7292 §4.2). */
const BAG = {
  key: '1.2.840.113549.1.12.10.1.1',
  shroudedKey: '1.2.840.113549.1.12.10.1.2',
  cert: '1.2.840.113549.1.12.10.1.3',
} as const;

function bagsOf(p12: forge.pkcs12.Pkcs12Pfx, bagType: string): forge.pkcs12.Bag[] {
  return p12.getBags({ bagType })[bagType] ?? [];
}

/** Decrypts a PFX with node-forge. @throws LegacyPfxError */
export function readLegacyPfx(pfx: Buffer, passphrase: string | undefined): PemPair {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    const der = forge.asn1.fromDer(forge.util.createBuffer(pfx.toString('binary')));
    p12 = forge.pkcs12.pkcs12FromAsn1(der, false, passphrase ?? '');
  } catch (e) {
    const message = errorMessage(e);
    if (/MAC could not be verified|Invalid password/i.test(message))
      throw new LegacyPfxError('passphrase', 'the passphrase does not open it', { cause: e });
    throw new LegacyPfxError('unreadable', 'it is not a PKCS#12 file node-forge can read', { cause: e });
  }
  const keyBag = [...bagsOf(p12, BAG.shroudedKey), ...bagsOf(p12, BAG.key)][0];
  if (!keyBag) throw new LegacyPfxError('no-key', 'it holds no private key');
  // forge decodes RSA keys itself; any other key type is kept as its PKCS#8 structure.
  const key = keyBag.key
    ? forge.pki.privateKeyToPem(keyBag.key)
    : keyBag.asn1
      ? forge.pki.privateKeyInfoToPem(keyBag.asn1)
      : undefined;
  if (!key) throw new LegacyPfxError('no-key', 'its private key cannot be read');
  const certificates = bagsOf(p12, BAG.cert)
    .map((bag) => (bag.asn1 ? bag.asn1 : bag.cert ? forge.pki.certificateToAsn1(bag.cert) : undefined))
    .filter((a): a is forge.asn1.Asn1 => a !== undefined)
    .map((a) => new X509Certificate(Buffer.from(forge.asn1.toDer(a).getBytes(), 'binary')));
  const privateKey = createPrivateKey(key);
  const own = certificates.find((c) => c.checkPrivateKey(privateKey));
  if (!own) throw new LegacyPfxError('no-certificate', 'it holds no certificate for its private key');
  const cert = [own, ...certificates.filter((c) => c !== own)].map((c) => c.toString()).join('');
  return { key, cert };
}
