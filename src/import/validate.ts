/**
 * Validates one imported row with the rules the LRS client applies before it sends anything: the
 * payload is read as the worker reads it (src/requests/payload.ts), then built into the very messages the
 * worker will send and checked against their MIAP rules (lrs/messages.ts). A row that passes here is
 * not refused later for its data.
 */
import type { RequestKind } from '../../db/schema.ts';
import { validateMessage, type MessageSpec, type WireObject } from '../lrs/messages.ts';
import * as op from '../lrs/operations/index.ts';
import type { LrsIdentity } from '../lrs/types.ts';
import { demographicsOf, learnerToRegisterOf, parsePayload } from '../requests/payload.ts';

export interface FieldProblem {
  field: string;
  problem: string;
}

/** Fields lrs.submit_request insists on, per kind (kept equal to db/migrations/0001_functions.sql). */
export const REQUIRED_FIELDS: Record<RequestKind, readonly string[]> = {
  find_by_uln: ['uln', 'givenName', 'familyName'],
  find_by_demographics: ['givenName', 'familyName', 'dateOfBirth', 'gender', 'lastKnownPostCode'],
  register: ['givenName', 'familyName', 'dateOfBirth', 'gender', 'lastKnownPostCode'],
  update: ['uln', 'givenName', 'familyName', 'dateOfBirth', 'gender', 'lastKnownPostCode'],
  verify: ['uln', 'givenName', 'familyName'],
  learning_events: ['uln', 'givenName', 'familyName'],
  achievement: [
    'uln',
    'givenName',
    'familyName',
    'unitOrQualificationReferenceNumber',
    'achievementAwardDate',
  ],
};

/** Credentials are the organisation's, checked when it is added; only the learner fields matter here. */
const IDENTITY: LrsIdentity = { ukprn: '10000001', password: 'Placeholder-16ch', userName: 'import' };
const CREDENTIALS =
  /^(organisationRef|ukprn|orgPassword|userName|invokingOrganisation|identity|userType|vendorId|language|findType)(\.|$)/;

/** The messages the worker will send for `kind`, built from the payload. */
type Message = { spec: MessageSpec; wire: WireObject };
const problemsOf = (problems: { field: string; message: string }[]) => ({
  problems: problems.map((x) => ({ field: x.field, problem: x.message })),
});

function messagesFor(
  kind: RequestKind,
  payload: Record<string, string>,
): { messages: Message[] } | { problems: FieldProblem[] } {
  switch (kind) {
    case 'find_by_uln': {
      const p = parsePayload('find_by_uln', payload);
      if (!p.ok) return problemsOf(p.problems);
      return {
        messages: [
          {
            spec: op.learnerByUln.spec,
            wire: op.learnerByUln.build(IDENTITY, { ...p.value, findType: 'FUL' }),
          },
        ],
      };
    }
    case 'find_by_demographics':
    case 'register': {
      const p = parsePayload('register', payload);
      if (!p.ok) return problemsOf(p.problems);
      const search = {
        spec: op.learnerByDemographics.spec,
        wire: op.learnerByDemographics.build(IDENTITY, { ...demographicsOf(p.value), findType: 'FUL' }),
      };
      if (kind === 'find_by_demographics') return { messages: [search] };
      return {
        messages: [
          search,
          {
            spec: op.registerSingleLearner.spec,
            wire: op.registerSingleLearner.build(IDENTITY, learnerToRegisterOf(p.value)),
          },
        ],
      };
    }
    case 'update': {
      const p = parsePayload('update', payload);
      if (!p.ok) return problemsOf(p.problems);
      // The worker takes VersionNumber (and any field not sent) from the LRS record it reads first.
      const learner = {
        ...p.value,
        verificationType: p.value.verificationType ?? '0',
        abilityToShare: p.value.abilityToShare ?? '1',
        versionNumber: 1,
      };
      return {
        messages: [
          {
            spec: op.learnerByUln.spec,
            wire: op.learnerByUln.build(IDENTITY, {
              uln: p.value.uln,
              givenName: p.value.givenName,
              familyName: p.value.familyName,
              findType: 'FUL',
            }),
          },
          { spec: op.updateSingleLearner.spec, wire: op.updateSingleLearner.build(IDENTITY, learner) },
        ],
      };
    }
    case 'verify': {
      const p = parsePayload('verify', payload);
      if (!p.ok) return problemsOf(p.problems);
      return {
        messages: [{ spec: op.verifyLearner.spec, wire: op.verifyLearner.build(IDENTITY, { ...p.value }) }],
      };
    }
    case 'learning_events': {
      const p = parsePayload('learning_events', payload);
      if (!p.ok) return problemsOf(p.problems);
      return {
        messages: [
          {
            spec: op.getLearnerLearningEvents.spec,
            wire: op.getLearnerLearningEvents.build(IDENTITY, { ...p.value }),
          },
        ],
      };
    }
    case 'achievement': {
      // Achievements travel in batches (the batch worker validates the whole file); check what a row can.
      const p = parsePayload('achievement', payload);
      return p.ok ? { messages: [] } : problemsOf(p.problems);
    }
  }
}

/** The camelCase field a message path names (`learner.dateOfBirth` → `dateOfBirth`, `learnerToVerify.uln` → `uln`). */
function fieldOf(path: string): string {
  const last = path.split('.').pop() ?? path;
  return last.replace(/\[\d+\]$/, '');
}

/** Every problem with `payload` as a `kind` request; empty when the worker would send it. */
export function validateImportRow(kind: RequestKind, payload: Record<string, string>): FieldProblem[] {
  const missing = REQUIRED_FIELDS[kind].filter((f) => payload[f] === undefined || payload[f].trim() === '');
  if (missing.length > 0) return missing.map((field) => ({ field, problem: 'is required' }));
  const built = messagesFor(kind, payload);
  if ('problems' in built) return built.problems;
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  for (const m of built.messages) {
    for (const p of validateMessage(m.spec, m.wire)) {
      if (CREDENTIALS.test(p.field)) continue;
      const field = fieldOf(p.field);
      const key = `${field}:${p.message}`;
      if (seen.has(key)) continue; // the search and the register check the same fields
      seen.add(key);
      problems.push({ field, problem: p.message });
    }
  }
  return problems;
}
