/**
 * The organisation table: who may call, with which 16-character password, and which operations.
 * Unknown organisation → WSEC0003, wrong password → WSEC0005, operation not permitted → WSEC0006.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { errorMessage } from '../errors.ts';

export interface SimOrganisation {
  ukprn?: string | undefined;
  organisationRef?: string | undefined;
  password: string;
  /** Operation names as in the WSDL (e.g. `learnerByDemographics`, `GetLearnerLearningEvents`), or `*`. */
  operations: string[];
}

/** The organisation used when none are configured; documented in docs/simulator.md. */
export const DEFAULT_ORGANISATION: Readonly<SimOrganisation> = Object.freeze({
  ukprn: '10000001',
  organisationRef: 'SIM001',
  password: 'Simulator-Pass16',
  operations: ['*'],
});

const orgSchema = z
  .object({
    ukprn: z.string().optional(),
    organisationRef: z.string().optional(),
    password: z.string().length(16, { message: 'password must be exactly 16 characters' }),
    operations: z.array(z.string()).default(['*']),
  })
  .refine((o) => o.ukprn !== undefined || o.organisationRef !== undefined, {
    message: 'needs "ukprn" or "organisationRef"',
  });

/** Validates an organisation list (from a file or options). */
export function parseOrganisations(data: unknown): SimOrganisation[] {
  const parsed = z.array(orgSchema).min(1).safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue === undefined || issue.path.length === 0)
      throw new Error(`organisations: expected a non-empty JSON list such as ${ORGANISATION_EXAMPLE}`);
    throw new Error(`organisations: entry ${String(issue.path[0])}: ${issue.message}`);
  }
  return parsed.data;
}

const ORGANISATION_EXAMPLE = '[{"ukprn": "10000001", "password": "Sixteen-chars-16", "operations": ["*"]}]';

/** Reads and validates a JSON organisation list (`--orgs`); errors name the file. */
export async function readOrganisationFile(file: string): Promise<SimOrganisation[]> {
  const text = await readFile(file, 'utf8');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not valid JSON (${errorMessage(e)})`, {
      cause: e,
    });
  }
  try {
    return parseOrganisations(data);
  } catch (e) {
    throw new Error(`${file}: ${errorMessage(e)}`, { cause: e });
  }
}

export type AuthOutcome =
  { ok: true; orgId: string } | { ok: false; code: 'WSEC0003' | 'WSEC0005' | 'WSEC0006' };

/** Looks organisations up by UKPRN and by organisation reference. */
export class OrganisationTable {
  private readonly byId = new Map<string, SimOrganisation>();

  constructor(orgs: readonly SimOrganisation[]) {
    for (const o of orgs) {
      if (o.ukprn) this.byId.set(`U:${o.ukprn}`, o);
      if (o.organisationRef) this.byId.set(`R:${o.organisationRef}`, o);
    }
  }

  /**
   * Checks credentials for one operation (known by any of `operationNames`: ours or the WSDL's). `ref` may be tried as UKPRN too: the External service's `User`
   * has only OrganisationRef and some clients put their UKPRN there.
   */
  authenticate(
    c: { ukprn?: string; organisationRef?: string; password: string },
    operationNames: readonly string[],
  ): AuthOutcome {
    const org =
      (c.ukprn ? this.byId.get(`U:${c.ukprn}`) : undefined) ??
      (c.organisationRef
        ? (this.byId.get(`R:${c.organisationRef}`) ?? this.byId.get(`U:${c.organisationRef}`))
        : undefined);
    if (!org) return { ok: false, code: 'WSEC0003' };
    if (org.password !== c.password) return { ok: false, code: 'WSEC0005' };
    if (!org.operations.includes('*') && !operationNames.some((n) => org.operations.includes(n)))
      return { ok: false, code: 'WSEC0006' };
    return { ok: true, orgId: org.ukprn ?? org.organisationRef ?? '' };
  }
}
