/**
 * One LRS client per organisation. Each client's TLS agent carries only that organisation's client
 * certificate, and `forOrganisation` returns it together with that organisation's credentials, so a
 * call can only ever go out with one organisation's certificate *and* the same organisation's password.
 * When the directory returns different TLS material (the certificate was renewed with `orgs update`)
 * the old client is closed and a new one made.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { createLrsClient } from '../lrs/client.ts';
import type { CreateLrsClientOptions, LrsCallEvent, LrsClient, LrsTlsCredentials } from '../lrs/types.ts';
import type { OrganisationCredentials, OrganisationDirectory } from './directory.ts';
import { ORG_ERROR_CODES, OrganisationError } from './errors.ts';

export interface CreateLrsClientsOptions {
  directory: OrganisationDirectory;
  config: Pick<
    Config,
    'lrsEndpoints' | 'LRS_TIMEOUT_MS' | 'LRS_CONNECT_TIMEOUT_MS' | 'LRS_ALLOW_INSECURE_HTTP'
  >;
  log: Logger;
  /** Called once per LRS call (audit rows, metrics); the event names the organisation, never a secret. */
  onCall?: ((event: LrsCallEvent, organisationId: number) => void) | undefined;
  /** Default createLrsClient; tests pass a fake. */
  createClient?: ((options: CreateLrsClientOptions) => LrsClient) | undefined;
}

export interface OrganisationClient {
  client: LrsClient;
  credentials: OrganisationCredentials;
}

export interface LrsClients {
  /**
   * The organisation's client and credentials. Throws OrganisationError DISABLED for a disabled
   * organisation unless `allowDisabled` (used by `orgs test`), and whatever the directory throws.
   */
  forOrganisation(organisationId: number, o?: { allowDisabled?: boolean }): Promise<OrganisationClient>;
  /** Closes every client (keep-alive sockets). */
  close(): Promise<void>;
}

/** Identifies TLS material without keeping another copy of it. */
function fingerprintTls(tls: LrsTlsCredentials | undefined): string {
  if (!tls) return 'none';
  const h = createHash('sha256');
  if ('pfx' in tls) h.update('pfx').update(tls.pfx);
  else h.update('pem').update(tls.key).update('\0').update(tls.cert);
  h.update('\0').update(tls.passphrase ?? '');
  return h.digest('hex');
}

export function createLrsClients(o: CreateLrsClientsOptions): LrsClients {
  const createClient = o.createClient ?? createLrsClient;
  const clients = new Map<number, { fingerprint: string; client: LrsClient }>();
  let closed = false;

  function clientFor(credentials: OrganisationCredentials): LrsClient {
    const fingerprint = fingerprintTls(credentials.tls);
    const existing = clients.get(credentials.organisationId);
    if (existing?.fingerprint === fingerprint) return existing.client;
    if (existing) {
      o.log.info(
        { organisation: credentials.code, organisationId: credentials.organisationId },
        'client certificate changed: replacing the LRS client',
      );
      existing.client
        .close()
        .catch((e: unknown) =>
          o.log.warn({ err: e, organisation: credentials.code }, 'closing the previous LRS client failed'),
        );
    }
    const onCall = o.onCall;
    const client = createClient({
      endpoints: o.config.lrsEndpoints,
      timeoutMs: o.config.LRS_TIMEOUT_MS,
      connectTimeoutMs: o.config.LRS_CONNECT_TIMEOUT_MS,
      allowInsecureHttp: o.config.LRS_ALLOW_INSECURE_HTTP,
      tls: credentials.tls,
      onCall: onCall ? (event) => onCall(event, credentials.organisationId) : undefined,
    });
    clients.set(credentials.organisationId, { fingerprint, client });
    return client;
  }

  return {
    async forOrganisation(organisationId, options = {}) {
      if (closed) throw new Error('LRS clients are closed');
      const credentials = await o.directory.get(organisationId);
      if (credentials.isDisabled && !options.allowDisabled) {
        throw new OrganisationError(
          ORG_ERROR_CODES.DISABLED,
          `organisation ${credentials.code} (${credentials.name}) is disabled: ${credentials.disabledReason ?? 'no reason given'}`,
          { organisation: credentials.code },
        );
      }
      return { client: clientFor(credentials), credentials };
    },
    async close() {
      closed = true;
      const all = [...clients.values()];
      clients.clear();
      await Promise.allSettled(all.map((c) => c.client.close()));
    },
  };
}
