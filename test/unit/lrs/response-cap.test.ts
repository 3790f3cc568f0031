/**
 * Bounded memory for any input: an LRS (or anything posing as one) that answers with an endless body
 * costs the relay at most MAX_RESPONSE_BYTES on every call the client makes: all fourteen operations,
 * single calls, batch submits and polls, R9 and the External service. The client stops reading and
 * hangs up at the cap; the server counts what it got to write. (`wsdl check`'s GET has its own cap,
 * tested in wsdl-check.test.ts.)
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLrsClient } from '../../../src/lrs/client.ts';
import { MAX_RESPONSE_BYTES } from '../../../src/lrs/response.ts';
import type { LrsClient, LrsIdentity } from '../../../src/lrs/types.ts';

const byUkprn: LrsIdentity = { ukprn: '10099999', password: 'Pa55word-Pa55wd!', userName: 'mis.support' };
const byOrgRef: LrsIdentity = {
  organisationRef: 'ABC123',
  password: 'Pa55word-Pa55wd!',
  userName: 'mis.support',
};
const LEARNER = {
  givenName: 'Sample',
  familyName: 'Testname',
  dateOfBirth: '1976-08-16',
  gender: '2',
} as const;

/** One valid call per operation; typed so that a new operation fails to compile until it is added here. */
const CALLS: { [K in Exclude<keyof LrsClient, 'close'>]: (c: LrsClient) => Promise<unknown> } = {
  learnerByUln: (c) =>
    c.learnerByUln(byUkprn, {
      uln: '1026893096',
      givenName: 'Sample',
      familyName: 'Testname',
      findType: 'FUL',
    }),
  learnerByDemographics: (c) =>
    c.learnerByDemographics(byUkprn, { ...LEARNER, lastKnownPostCode: 'CV4 9EE', findType: 'FUL' }),
  registerSingleLearner: (c) =>
    c.registerSingleLearner(byUkprn, {
      ...LEARNER,
      lastKnownPostCode: 'CV4 9EE',
      abilityToShare: '1',
      verificationType: '0',
    }),
  updateSingleLearner: (c) =>
    c.updateSingleLearner(byUkprn, {
      ...LEARNER,
      uln: '1026893096',
      versionNumber: 3,
      lastKnownPostCode: 'CV4 9EE',
      abilityToShare: '1',
      verificationType: '0',
    }),
  verifyLearner: (c) => c.verifyLearner(byOrgRef, { ...LEARNER, uln: '1026893096' }),
  submitBatchRegistration: (c) =>
    c.submitBatchRegistration(byUkprn, {
      jobType: 'FUL',
      learners: [{ ...LEARNER, misIdentifier: 'STU-1', lastKnownPostCode: 'CV4 9EE' }],
    }),
  getBatchRegistrationOutput: (c) => c.getBatchRegistrationOutput(byUkprn, '654321'),
  submitVerifyBatch: (c) =>
    c.submitVerifyBatch(byUkprn, {
      orgEmail: 'mis@college.ac.uk',
      learners: [{ ...LEARNER, misIdentifier: 'STU-1', uln: '1026893096' }],
    }),
  getVerifyBatchOutput: (c) => c.getVerifyBatchOutput(byUkprn, '777'),
  retrieveUlns: (c) => c.retrieveUlns(byUkprn, ['1026893096']),
  getLearnerLearningEvents: (c) => c.getLearnerLearningEvents(byUkprn, { ...LEARNER, uln: '1174112637' }),
  learnerByUlnR9: (c) =>
    c.learnerByUlnR9(byUkprn, { uln: '1026893096', givenName: 'Sample', familyName: 'Testname' }),
  submitAchievementBatchJob: (c) =>
    c.submitAchievementBatchJob(byOrgRef, {
      emailAddress: 'ao-data@college.ac.uk',
      achievements: [
        {
          uln: '1026893096',
          unitOrQualificationReferenceNumber: '60312345',
          providerUkprn: '10099999',
          misIdentifier: 'AO-1',
          grade: 'Merit',
          givenName: 'Sample',
          gender: 2,
          familyName: 'Testname',
          dateOfBirth: '1976-08-16T00:00:00',
          actionDate: '2024-08-01T00:00:00',
          action: 1,
          achievementAwardDate: '2024-07-31T00:00:00',
        },
      ],
    }),
  getAchievementBatchJob: (c) => c.getAchievementBatchJob(byOrgRef, 987654),
};

/** The server stops at this many bytes if the client never hangs up (four times the cap). */
const SERVER_LIMIT = 4 * MAX_RESPONSE_BYTES;

let server: Server;
let client: LrsClient;
/** Bytes written to the last call before its client hung up (or the server's limit was reached). */
let written = 0;
let answered: Promise<void> = Promise.resolve();

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    written = 0;
    answered = new Promise((resolve) => res.on('close', () => resolve()));
    // A SOAP envelope that opens and never ends: well-formed as far as it goes.
    res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
    res.write('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>');
    const chunk = Buffer.from('<x>filler</x>'.repeat(5_000));
    const pump = (): void => {
      while (!res.destroyed && written < SERVER_LIMIT) {
        written += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end('</s:Body></s:Envelope>');
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = createLrsClient({
    endpoints: {
      learnerService: `${base}/LearnerService.svc`,
      learnerServiceR9: `${base}/LearnerServiceR9.svc`,
      externalService: `${base}/ExternalService.svc`,
    },
    allowInsecureHttp: true,
    timeoutMs: 8_000,
  });
});

afterAll(async () => {
  await client?.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

describe('an endless answer on every LRS call', () => {
  it.each(Object.keys(CALLS) as (keyof typeof CALLS)[])(
    '%s: refused at the response-size cap, the rest never read',
    async (operation) => {
      const err = await CALLS[operation](client).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({
        code: 'MALFORMED_RESPONSE',
        message: expect.stringContaining(`response larger than ${MAX_RESPONSE_BYTES} bytes refused`),
      });
      await answered;
      // The client hung up soon after the cap: the server got nowhere near its limit.
      expect(written).toBeLessThan(2 * MAX_RESPONSE_BYTES);
    },
  );
});
