import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.ts';
import { LrsError } from '../../../src/lrs/errors.ts';
import type { CreateLrsClientOptions, LrsClient, LrsIdentity } from '../../../src/lrs/types.ts';
import { checkCredentials, classifyCheckError } from '../../../src/orgs/check-credentials.ts';
import { createLrsClients } from '../../../src/orgs/clients.ts';
import type { OrganisationCredentials, OrganisationDirectory } from '../../../src/orgs/directory.ts';
import { ORG_ERROR_CODES, OrganisationError } from '../../../src/orgs/errors.ts';

const config = {
  lrsEndpoints: {
    learnerService: 'http://lrs.test/LearnerService.svc',
    learnerServiceR9: 'http://lrs.test/R9.svc',
    externalService: 'http://lrs.test/Ext.svc',
  },
  LRS_TIMEOUT_MS: 1000,
  LRS_CONNECT_TIMEOUT_MS: 500,
  LRS_ALLOW_INSECURE_HTTP: true,
};
const log = createLogger({ level: 'silent' });

function credentials(id: number, over: Partial<OrganisationCredentials> = {}): OrganisationCredentials {
  return {
    organisationId: id,
    name: `Org ${id}`,
    code: `1000000${id}`,
    identity: {
      ukprn: `1000000${id}`,
      password: `password-org-${id}`.padEnd(16, 'x').slice(0, 16),
      vendorId: 0,
    },
    tls: { key: `key-${id}`, cert: `cert-${id}` },
    defaultUserName: 'nightly',
    concurrencyShare: 4,
    rateLimitPerSecond: null,
    isDisabled: false,
    disabledReason: null,
    ...over,
  };
}

function fakes(creds: Map<number, OrganisationCredentials>) {
  const made: { options: CreateLrsClientOptions; calls: LrsIdentity[]; closed: boolean }[] = [];
  const directory: OrganisationDirectory = {
    get: async (id) => {
      const c = creds.get(id);
      if (!c) throw new OrganisationError(ORG_ERROR_CODES.NOT_FOUND, `no organisation with id ${id}`);
      return c;
    },
    list: async () => [],
    invalidate: () => {},
  };
  const createClient = (options: CreateLrsClientOptions): LrsClient => {
    const entry = { options, calls: [] as LrsIdentity[], closed: false };
    made.push(entry);
    return {
      learnerByUln: async (id: LrsIdentity) => {
        entry.calls.push(id);
        return { code: 'WSRC0001', codeSource: 'lrs', class: 'outcome', outcome: 'no_match' };
      },
      close: async () => {
        entry.closed = true;
      },
    } as unknown as LrsClient;
  };
  return { made, clients: createLrsClients({ directory, config, log, createClient }) };
}

describe('createLrsClients', () => {
  it('gives each organisation its own client with its own certificate, and its own password', async () => {
    const creds = new Map([
      [1, credentials(1)],
      [2, credentials(2)],
    ]);
    const { made, clients } = fakes(creds);
    const a = await clients.forOrganisation(1);
    const b = await clients.forOrganisation(2);
    expect(a.client).not.toBe(b.client);
    expect(await clients.forOrganisation(1)).toMatchObject({ client: a.client });
    expect(made).toHaveLength(2);
    expect(made[0]?.options.tls).toEqual({ key: 'key-1', cert: 'cert-1' });
    expect(made[1]?.options.tls).toEqual({ key: 'key-2', cert: 'cert-2' });
    expect(made[0]?.options.endpoints).toBe(config.lrsEndpoints);

    await checkCredentials({ client: a.client, credentials: a.credentials });
    await checkCredentials({ client: b.client, credentials: b.credentials });
    expect(made[0]?.calls.map((c) => [c.ukprn, c.password])).toEqual([
      ['10000001', creds.get(1)?.identity.password],
    ]);
    expect(made[1]?.calls.map((c) => [c.ukprn, c.password])).toEqual([
      ['10000002', creds.get(2)?.identity.password],
    ]);
    await clients.close();
    expect(made.every((m) => m.closed)).toBe(true);
  });

  it('replaces and closes the client when the certificate changes', async () => {
    const creds = new Map([[1, credentials(1)]]);
    const { made, clients } = fakes(creds);
    const first = await clients.forOrganisation(1);
    creds.set(1, credentials(1, { tls: { key: 'key-1-renewed', cert: 'cert-1-renewed' } }));
    const second = await clients.forOrganisation(1);
    expect(second.client).not.toBe(first.client);
    await expect.poll(() => made[0]?.closed).toBe(true);
    await clients.close();
  });

  it('refuses a disabled organisation with its reason unless allowDisabled', async () => {
    const { clients } = fakes(
      new Map([[1, credentials(1, { isDisabled: true, disabledReason: 'contract ended' })]]),
    );
    await expect(clients.forOrganisation(1)).rejects.toMatchObject({
      code: ORG_ERROR_CODES.DISABLED,
      message: expect.stringContaining('contract ended'),
    });
    await expect(clients.forOrganisation(1, { allowDisabled: true })).resolves.toBeDefined();
    await clients.close();
  });
});

describe('classifyCheckError', () => {
  const lrs = (code: string, source: 'lrs' | 'relay' = 'lrs') =>
    new LrsError(code, { code, codeSource: source, class: 'config_error', retryable: false });
  it.each([
    ['WSEC0003', 'lrs', 'organisation_unknown'],
    ['WSEC0005', 'lrs', 'password'],
    ['WSEC0006', 'lrs', 'permission'],
    ['TLS_FAILED', 'relay', 'tls'],
    ['CONNECTION_FAILED', 'relay', 'network'],
    ['TIMEOUT', 'relay', 'network'],
    ['LRS_MAINTENANCE', 'relay', 'maintenance'],
    ['WSEC0004', 'lrs', 'out_of_hours'],
    ['SOAP_FAULT', 'relay', 'other'],
  ] as const)('%s → %s', (code, source, failure) => {
    expect(classifyCheckError(lrs(code, source))).toMatchObject({ ok: false, failure, code });
  });

  it('reports certificate problems found before any call as TLS/certificate', () => {
    const e = new OrganisationError(
      ORG_ERROR_CODES.CERTIFICATE_EXPIRED,
      'organisation X: the client certificate expired',
      { organisation: 'X' },
    );
    const r = classifyCheckError(e);
    expect(r).toMatchObject({ failure: 'certificate' });
    expect(r.summary).toMatch(/^TLS\/certificate/);
  });
});
