/**
 * The largest legal documents each side of the wire must read, from which the size caps are set
 * (transport.ts DEFAULT_MAX_RESPONSE_BYTES, simulator options.ts maxBodyBytes, the parser's node budget):
 *
 * - answers: a learning-events answer (PLR) with `--events` events (default 1,000: the simulator loads them
 *   as achievements for one learner, then answers GetLearnerLearningEvents), and a verify-batch output of
 *   5,000 rows (the most rows any answer carries);
 * - requests: a batch of each kind at its maximum size, every field filled to its rule's longest value
 *   (free-text fields, which have no rule of their own, at 100 characters).
 *
 * Each document is read back with the client's and the simulator's readers; the JSON gives bytes and
 * parser nodes (elements, attributes and text pieces: what the node budget counts).
 *
 *   npm run bench -- xml-sizes [-- --events 1000]
 */
import { parseArgs } from 'node:util';
import { buildEnvelope, buildHeaders } from '../src/lrs/envelope.ts';
import { MESSAGES, type FieldSpec, type MessageSpec, type WireObject } from '../src/lrs/messages.ts';
import * as op from '../src/lrs/operations/index.ts';
import type { RuleName } from '../src/lrs/rules.ts';
import { countXmlNodes } from '../src/xml/parse.ts';
import { createSimulator } from '../src/simulator/index.ts';

/** The longest value each rule allows (free text at 100 characters: no rule bounds it but the body cap). */
const LONGEST: Record<RuleName, string> = {
  nameNonEmpty: 'N'.repeat(35),
  name: 'N'.repeat(35),
  userName: 'U'.repeat(35),
  orgPassword: 'Simulator-Pass16',
  ukprn: '10000001',
  organisationRef: 'SIM001',
  uln: '1174112637',
  ulnOrEmpty: '1174112637',
  ulnPattern: '1174112637',
  ulnPatternOrEmpty: '1174112637',
  date: '1980-11-01',
  dateOrEmpty: '1980-11-01',
  dateTime: '2024-01-01 10:00:00',
  isoDateTime: '2024-01-01T10:00:00.1234567+01:00',
  gender: '1',
  genderOrEmpty: '1',
  postcode: 'CV4 9EE  ',
  postcodeOrEmpty: 'CV4 9EE  ',
  email: `${'e'.repeat(60)}@${'d'.repeat(63)}.${'d'.repeat(63)}.${'d'.repeat(59)}.ac.uk`,
  schoolName: 'S'.repeat(254),
  address: 'A'.repeat(50),
  nationality: 'GBR',
  scottishCandidateNumber: '123456789',
  verificationType: '999',
  verificationTypeOrEmpty: '999',
  otherVerificationDescription: 'O'.repeat(255),
  abilityToShare: '1',
  abilityToShareOrEmpty: '1',
  tierLevel: '1',
  learnerStatus: '1',
  notes: 'n'.repeat(4000),
  misIdentifier: 'M'.repeat(128),
  findType: 'FUL',
  userType: 'LNR',
  language: 'ENG',
  getType: 'FULL',
  learnerRecordCount: '200',
  verifyRecordCount: '5000',
  jobIdLong: '9223372036854775807',
  int: '-2147483648',
  text: 'T'.repeat(100),
};

/** A wire object with every field present, repeated to its maximum (unbounded: once). */
function fill(fields: readonly FieldSpec[]): WireObject {
  const out: WireObject = {};
  for (const f of fields) {
    const one = () => (f.children ? fill(f.children) : f.rule ? LONGEST[f.rule] : 'x');
    out[f.name] = Number.isFinite(f.max) && f.max > 1 ? Array.from({ length: f.max }, one) : one();
  }
  return out;
}

function measureDocument(xml: string): { bytes: number; nodes: number } {
  return { bytes: Buffer.byteLength(xml), nodes: countXmlNodes(xml) };
}

async function post(url: string, spec: MessageSpec, wire: WireObject): Promise<string> {
  const res = await fetch(url, {
    method: 'POST',
    headers: buildHeaders(spec),
    body: buildEnvelope(spec, wire),
  });
  return res.text();
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({ args, options: { events: { type: 'string', default: '1000' } } });
  const events = Number(values.events);
  const requests = Object.fromEntries(
    (['submitBatchRegistration', 'submitVerifyBatch', 'submitAchievementBatchJob'] as const).map((name) => {
      const spec: MessageSpec = MESSAGES[name];
      return [name, measureDocument(buildEnvelope(spec, fill(spec.fields)))];
    }),
  );

  const sim = await createSimulator({
    instantBatches: true,
    limits: { achievement: Math.max(events, 1) },
  }).listen();
  try {
    const user = { OrganisationRef: 'SIM001', OrgPassword: 'Simulator-Pass16', UserName: 'bench' };
    const achievement = {
      AchievementAwardDate: '2020-07-01',
      Action: '1',
      ActionDate: '2020-07-01',
      FamilyName: 'TesterOne',
      GivenName: 'TestOne',
      Grade: 'Distinction',
      ProviderUkprn: '10000001',
      Uln: '1174112637',
      UnitOrQualificationReferenceNumber: '600/1166/X',
    };
    const submitted = await post(sim.endpoints.externalService, MESSAGES.submitAchievementBatchJob, {
      invokingUser: user,
      achievements: { Achievement: Array.from({ length: events }, () => achievement) },
    });
    if (!submitted.includes('JobId'))
      throw new Error(`achievement batch refused: ${submitted.slice(0, 300)}`);
    const plr = await post(
      sim.endpoints.learnerServiceR9,
      op.getLearnerLearningEvents.spec,
      op.getLearnerLearningEvents.build(
        { ukprn: '10000001', password: 'Simulator-Pass16', userName: 'bench', vendorId: 0 },
        { uln: '1174112637', givenName: 'TestOne', familyName: 'TesterOne', dateOfBirth: '1980-11-01' },
      ),
    );
    const plrEvents = plr.split('<a:LearningEvent>').length - 1;

    const identity = { ukprn: '10000001', password: 'Simulator-Pass16', userName: 'bench' };
    const verify = fill(MESSAGES.submitVerifyBatch.fields);
    const verifySubmitted = await post(sim.endpoints.learnerService, MESSAGES.submitVerifyBatch, {
      ...verify,
      ...op.submitVerifyBatch.build(identity, { learners: [] }),
      Learner: verify.Learner,
      LearnerRecordCount: '5000',
    });
    const jobId = /<JobID>([^<]+)<\/JobID>/.exec(verifySubmitted)?.[1];
    if (!jobId) throw new Error(`verify batch refused: ${verifySubmitted.slice(0, 300)}`);
    const verifyOutput = await post(
      sim.endpoints.learnerService,
      MESSAGES.getVerifyBatchOutput,
      op.getVerifyBatchOutput.build(identity, jobId),
    );
    const rows = verifyOutput.split('<VerifiedLearner>').length - 1;
    return {
      events: plrEvents,
      plr: measureDocument(plr),
      verifyRows: rows,
      verifyOutput: measureDocument(verifyOutput),
      requests,
    };
  } finally {
    await sim.close();
  }
}
