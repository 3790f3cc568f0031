import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readLearnerFile } from '../../../src/simulator/import-learners.ts';
import { OrganisationTable, parseOrganisations, readOrganisationFile } from '../../../src/simulator/orgs.ts';
import { LearnerStore } from '../../../src/simulator/store.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/simulator/${name}`, import.meta.url));

describe('--learners and --orgs files', () => {
  it('imports learners from CSV, linking the merged record to its master', async () => {
    const learners = await readLearnerFile(fixture('learners.csv'));
    const store = new LearnerStore({
      findBeforeRegisterWindowMs: 1,
      possibleMatchMinWaitMs: 0,
      maxPossibleMatches: 10,
      issuedUlnPrefix: '5',
    });
    for (const l of learners) store.add(l);
    expect(store.get('9276308686')?.linkedUlns).toEqual(['1000000078']);
    expect(
      store.find({
        givenName: 'merged',
        familyName: 'example',
        dateOfBirth: '2001-09-01',
        gender: '2',
        lastKnownPostCode: 'ne14st',
      }),
    ).toMatchObject({ code: 'WSRC0022', learner: { uln: '9276308686' } });
  });

  it('loads organisations and applies their passwords and permitted operations', async () => {
    const orgs = new OrganisationTable(await readOrganisationFile(fixture('orgs.json')));
    const finder = { organisationRef: 'TEST01', password: 'Finder-Only-0016' };
    expect(orgs.authenticate(finder, ['learnerByDemographics'])).toEqual({ ok: true, orgId: 'TEST01' });
    expect(orgs.authenticate(finder, ['registerSingleLearner'])).toEqual({ ok: false, code: 'WSEC0006' });
    expect(orgs.authenticate({ ...finder, password: 'x'.repeat(16) }, ['learnerByDemographics'])).toEqual({
      ok: false,
      code: 'WSEC0005',
    });
    expect(
      orgs.authenticate({ ukprn: '99999999', password: 'Simulator-Pass16' }, ['learnerByDemographics']),
    ).toEqual({ ok: false, code: 'WSEC0003' });
  });

  it('refuses an organisation without an id or with a password that is not 16 characters', () => {
    expect(() => parseOrganisations([{ password: 'Simulator-Pass16' }])).toThrow(/ukprn/);
    expect(() => parseOrganisations([{ ukprn: '10000001', password: 'short' }])).toThrow(/16 characters/);
  });
});
