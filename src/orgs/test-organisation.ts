/**
 * Testing one organisation, as `lrs-relay orgs test` and the dashboard's "Test" button do it: load its
 * credentials afresh (a fresh directory, no cache), make one learnerByULN call (checkCredentials), check
 * the services' WSDLs against our message descriptions (a difference only warns), and audit it: the LRS
 * call as every call is audited, and a `relay.org-test` row naming who asked for the test.
 */
import type { Config } from '../config.ts';
import type { Db } from '../db/pool.ts';
import type { Logger } from '../log.ts';
import { audit } from '../../db/schema.ts';
import { PIPELINE_CODES } from '../codes/pipeline-codes.ts';
import type { CreateLrsClientOptions, LrsCallEvent, LrsClient, LrsTlsCredentials } from '../lrs/types.ts';
import { checkWsdls, type WsdlCheckResult } from '../lrs/wsdl-check.ts';
import { checkCredentials, classifyCheckError, type CredentialCheck } from './check-credentials.ts';
import { createLrsClients } from './clients.ts';
import { createOrganisationDirectory } from './directory.ts';
import { getOrganisationById, organisationLabel, type OrganisationRecord } from './store.ts';
import { vendorIdRefusal } from '../lrs/endpoints.ts';

export interface OrganisationTestInput {
  db: Db;
  config: Pick<
    Config,
    | 'lrsEndpoints'
    | 'LRS_TIMEOUT_MS'
    | 'LRS_CONNECT_TIMEOUT_MS'
    | 'LRS_ALLOW_INSECURE_HTTP'
    | 'SECRETS_KEY'
    | 'CERT_EXPIRY_WARNING_DAYS'
  >;
  log: Logger;
  /** Where env: secret references are read (the process's environment). */
  env: Readonly<Record<string, string | undefined>>;
  record: OrganisationRecord;
  /** Who asked for the test (a staff username, or `cli:<user>`): written to the audit. */
  testedBy: string;
  /** UserName sent to the LRS (default the organisation's default UserName). */
  userName?: string | undefined;
  /** The learner looked up (default the LRS's sample learner, CHECK_LEARNER). */
  learner?: { uln: string; givenName: string; familyName: string } | undefined;
  /** How to set a missing vendor id, for the refusal (the CLI names its command). */
  vendorIdFix: string;
  /** Tests: the LRS client factory. */
  createClient?: ((o: CreateLrsClientOptions) => LrsClient) | undefined;
}

export interface OrganisationTestResult {
  /** The credentials work and R9 calls are not refused for want of a vendor id. */
  ok: boolean;
  /** `10000001 (Name)`, as the CLI and the pages name an organisation. */
  label: string;
  endpoint: string;
  userName: string;
  check: CredentialCheck;
  wsdl: WsdlCheckResult;
  /**
   * Why the client refuses this organisation's R9 calls (vendor id 0 against anything but the
   * simulator, VENDOR_ID_NOT_SET): a failed test, not a warning.
   */
  vendorProblem: string | undefined;
  /** Days the client certificate has left, when it has one that loaded. */
  certificateDaysLeft: number | undefined;
  /** The certificate expires within CERT_EXPIRY_WARNING_DAYS. */
  certificateWarning: boolean;
}

export async function testOrganisation(i: OrganisationTestInput): Promise<OrganisationTestResult> {
  const { record, config } = i;
  const directory = createOrganisationDirectory({
    db: i.db,
    config,
    log: i.log,
    env: i.env,
    ttlMs: 0,
  });
  // The test call is a real LRS call: it is audited like every other one.
  const calls: LrsCallEvent[] = [];
  const clients = createLrsClients({
    directory,
    config,
    log: i.log,
    createClient: i.createClient,
    onCall: (e) => calls.push(e),
  });
  const userName = i.userName ?? record.defaultUserName;
  const vendorProblem = vendorIdRefusal(record.vendorId, config.lrsEndpoints.learnerServiceR9, i.vendorIdFix);
  let tls: LrsTlsCredentials | undefined;
  let certificateDaysLeft: number | undefined;
  let check: CredentialCheck;
  try {
    try {
      const { client, credentials } = await clients.forOrganisation(record.id, { allowDisabled: true });
      tls = credentials.tls;
      certificateDaysLeft = credentials.certificate?.daysUntilExpiry;
      check = await checkCredentials({ client, credentials, userName, learner: i.learner });
    } catch (e) {
      check = classifyCheckError(e);
    }
    // Contract drift is a warning here: the organisation's credentials can work while a WSDL differs.
    const wsdl = await checkWsdls({
      endpoints: config.lrsEndpoints,
      connectTimeoutMs: config.LRS_CONNECT_TIMEOUT_MS,
      allowInsecureHttp: config.LRS_ALLOW_INSECURE_HTTP,
      tls,
    });
    return {
      ok: check.ok && !vendorProblem,
      label: organisationLabel(record),
      endpoint: config.lrsEndpoints.learnerService,
      userName,
      check,
      wsdl,
      vendorProblem,
      certificateDaysLeft,
      certificateWarning:
        certificateDaysLeft !== undefined && certificateDaysLeft < config.CERT_EXPIRY_WARNING_DAYS,
    };
  } finally {
    await clients.close();
    await i.db.insert(audit).values([
      ...calls.map((e) => ({
        organisationId: record.id,
        userName: e.userName,
        operation: e.operation,
        code: e.code,
        codeSource: e.codeSource,
        httpStatus: e.httpStatus ?? null,
        durationMs: e.durationMs,
      })),
      {
        organisationId: record.id,
        userName: i.testedBy.slice(0, 64),
        operation: 'relay.org-test',
        code: PIPELINE_CODES.ORGANISATION_TESTED,
        codeSource: 'relay',
        durationMs: calls.reduce((ms, e) => ms + e.durationMs, 0),
      },
    ]);
  }
}

/** Tests an organisation by id for someone; undefined when there is no such organisation. */
export type OrganisationTester = (
  organisationId: number,
  testedBy: string,
) => Promise<OrganisationTestResult | undefined>;

/** The tester a relay process gives its dashboard: its database, settings and secret environment. */
export function createOrganisationTester(
  o: Pick<OrganisationTestInput, 'db' | 'config' | 'log' | 'env' | 'createClient'>,
): OrganisationTester {
  return async (organisationId, testedBy) => {
    const record = await getOrganisationById(o.db, organisationId);
    if (!record) return undefined;
    const key = record.ukprn ?? record.organisationRef ?? String(record.id);
    return testOrganisation({
      ...o,
      record,
      testedBy,
      vendorIdFix: `set it with \`lrs-relay orgs update ${key} --vendor-id N\``,
    });
  };
}
