import { describe, expect, it } from 'vitest';
import { formatOrganisationList } from '../../../src/cli/orgs-format.ts';
import type { OrganisationRecord } from '../../../src/orgs/store.ts';

const NOW = new Date('2026-01-01T00:00:00Z');

function record(o: Partial<OrganisationRecord>): OrganisationRecord {
  return {
    id: 1,
    name: 'North College',
    ukprn: '10000001',
    organisationRef: null,
    vendorId: 0,
    passwordRef: { kind: 'env', name: 'LRS_PASSWORD_A' },
    certificateRef: null,
    certificateNotAfter: null,
    defaultUserName: 'relay',
    concurrencyShare: 8,
    rateLimitPerSecond: null,
    isDisabled: false,
    disabledReason: null,
    createdAt: NOW,
    updatedAt: NOW,
    ...o,
  };
}

describe('formatOrganisationList', () => {
  it('prints one aligned row per organisation, secrets as references only, long names whole', () => {
    const longName =
      'The Very Long Named College of Further and Higher Education for the Whole of the North East';
    const lines = formatOrganisationList(
      [
        record({}),
        record({
          id: 12,
          name: longName,
          ukprn: null,
          organisationRef: 'ABC123',
          passwordRef: undefined,
          rateLimitPerSecond: 5,
          isDisabled: true,
          disabledReason: 'contract ended',
        }),
      ],
      30,
      NOW,
    ).split('\n');
    expect(lines[0]).toMatch(
      /^ID\s+UKPRN\/REF\s+NAME\s+USER\s+SHARE\s+RATE\/S\s+PASSWORD\s+CERTIFICATE\s+STATUS$/,
    );
    expect(lines[1]).toMatch(/^-+( +-+){8}$/);
    expect(lines[2]).toMatch(
      /^1 +10000001 +North College +relay +8 +global +env:LRS_PASSWORD_A +none +enabled$/,
    );
    expect(lines[3]).toContain(longName);
    expect(lines[3]).toMatch(/^12 +ABC123 .* 5 +INVALID +none +disabled: contract ended$/);
    // Columns line up: every row puts NAME at the same place.
    expect(lines[2]!.indexOf('North College')).toBe(lines[0]!.indexOf('NAME'));
    expect(lines).toHaveLength(4);
  });

  it('says how to add the first organisation when there is none', () => {
    expect(formatOrganisationList([], 30, NOW)).toMatch(/lrs-relay orgs add --help/);
  });
});
