/**
 * Test certificates made with the openssl CLI in a temporary folder: valid, expired, not yet valid,
 * near expiry, encrypted keys and PFX files. Shared by the unit and integration tests of src/orgs.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface MadeCertificate {
  keyPath: string;
  certPath: string;
  /** Set when `pfxPassphrase` was given. */
  pfxPath?: string;
}

export interface CertificateFolder {
  dir: string;
  /**
   * A self-signed RSA certificate. Dates as `YYYYMMDDHHMMSSZ`; without them it is valid from now for `days` (default 365).
   * `keyPassphrase` encrypts the PEM key; `pfxPassphrase` also writes a PFX (`pfxLegacy`: with RC2/3DES).
   */
  make(
    name: string,
    o?: {
      cn?: string;
      san?: string;
      days?: number;
      startDate?: string;
      endDate?: string;
      keyPassphrase?: string;
      pfxPassphrase?: string;
      /** Write the PFX with RC2/3DES (`openssl pkcs12 -export -legacy`), as many Windows exports do. */
      pfxLegacy?: boolean;
    },
  ): Promise<MadeCertificate>;
  remove(): Promise<void>;
}

/** `openssl ca` date format for a Date. */
export function opensslDate(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
}

export async function createCertificateFolder(): Promise<CertificateFolder> {
  const dir = await mkdtemp(join(tmpdir(), 'lrs-orgs-certs-'));
  return {
    dir,
    async make(name, o = {}) {
      const keyPath = join(dir, `${name}.key.pem`);
      const certPath = join(dir, `${name}.cert.pem`);
      const plainKey = join(dir, `${name}.plain-key.pem`);
      const cn = o.cn ?? name;
      await run('openssl', [
        'genpkey',
        '-algorithm',
        'RSA',
        '-pkeyopt',
        'rsa_keygen_bits:2048',
        '-out',
        plainKey,
      ]);
      if (o.startDate || o.endDate) {
        // `openssl ca -selfsign` is the only openssl 3.0 way to set arbitrary validity dates.
        const caDir = join(dir, `${name}-ca`);
        await run('mkdir', ['-p', caDir]);
        await writeFile(join(caDir, 'index.txt'), '');
        await writeFile(join(caDir, 'serial'), '01\n');
        await writeFile(
          join(caDir, 'ca.cnf'),
          `[ca]\ndefault_ca=d\n[d]\ndir=${caDir}\ndatabase=${caDir}/index.txt\nnew_certs_dir=${caDir}\nserial=${caDir}/serial\ndefault_md=sha256\npolicy=p\n[p]\ncommonName=supplied\n`,
        );
        const csr = join(caDir, 'req.csr');
        await run('openssl', ['req', '-new', '-key', plainKey, '-subj', `/CN=${cn}`, '-out', csr]);
        await run('openssl', [
          'ca',
          '-batch',
          '-notext',
          '-config',
          join(caDir, 'ca.cnf'),
          '-selfsign',
          '-keyfile',
          plainKey,
          '-in',
          csr,
          '-startdate',
          o.startDate ?? opensslDate(new Date(Date.now() - 86_400_000)),
          '-enddate',
          o.endDate ?? opensslDate(new Date(Date.now() + 365 * 86_400_000)),
          '-out',
          certPath,
        ]);
      } else {
        const san = o.san ? ['-addext', `subjectAltName=${o.san}`] : [];
        await run('openssl', [
          'req',
          '-x509',
          '-key',
          plainKey,
          '-subj',
          `/CN=${cn}`,
          ...san,
          '-days',
          String(o.days ?? 365),
          '-out',
          certPath,
        ]);
      }
      if (o.keyPassphrase) {
        await run('openssl', [
          'pkey',
          '-in',
          plainKey,
          '-aes256',
          '-passout',
          `pass:${o.keyPassphrase}`,
          '-out',
          keyPath,
        ]);
      } else {
        await run('cp', [plainKey, keyPath]);
      }
      const made: MadeCertificate = { keyPath, certPath };
      if (o.pfxPassphrase) {
        made.pfxPath = join(dir, `${name}.pfx`);
        await run('openssl', [
          'pkcs12',
          '-export',
          '-inkey',
          plainKey,
          '-in',
          certPath,
          '-out',
          made.pfxPath,
          '-passout',
          `pass:${o.pfxPassphrase}`,
          ...(o.pfxLegacy ? ['-legacy'] : []),
        ]);
      }
      return made;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
