import { describe, expect, it } from 'vitest';
import {
  canSeeOrganisation,
  canSeePersonalData,
  createCliActor,
  createStaffActor,
  scopeOrganisations,
} from '../../../src/support/access.ts';
import { failedLoginDelayMs, isSameSecret } from '../../../src/support/sessions.ts';
import { checkPasswordStrength, hashPassword, verifyPassword } from '../../../src/support/passwords.ts';

describe('access', () => {
  const staff = createStaffActor({ username: 'a', isAdmin: false, memberOf: [1, 2] });
  const admin = createStaffActor({ username: 'r', isAdmin: true, memberOf: [2] });

  it('limits staff to their organisations, and admins to their own for personal data', () => {
    expect(canSeeOrganisation(staff, 1)).toBe(true);
    expect(canSeeOrganisation(staff, 3)).toBe(false);
    expect(canSeeOrganisation(admin, 3)).toBe(true);
    expect(canSeePersonalData(admin, 3)).toBe(false);
    expect(canSeePersonalData(admin, 2)).toBe(true);
    expect(canSeePersonalData(createCliActor('ops'), 9)).toBe(true);
  });

  it('narrows a filter to the actor scope and never widens it', () => {
    expect(scopeOrganisations(staff)).toEqual([1, 2]);
    expect(scopeOrganisations(staff, [2, 3])).toEqual([2]);
    expect(scopeOrganisations(staff, [3])).toEqual([]);
    expect(scopeOrganisations(admin)).toBeNull();
    expect(scopeOrganisations(admin, [3])).toEqual([3]);
  });
});

describe('passwords and login throttling', () => {
  it('verifies scrypt hashes and refuses wrong passwords and malformed hashes', async () => {
    const hash = await hashPassword('a long enough password', { cost: 1024 });
    expect(hash).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(await verifyPassword('a long enough password', hash)).toBe(true);
    expect(await verifyPassword('a long enough passworD', hash)).toBe(false);
    expect(await verifyPassword('x', 'plain')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$1024$8$1$AA==$AA==')).toBe(false);
  });

  it('asks for long passwords', () => {
    expect(checkPasswordStrength('short')).toMatch(/at least 12/);
    expect(checkPasswordStrength('twelve chars ok')).toBeNull();
  });

  it('doubles the failed-login delay up to five seconds', () => {
    expect([1, 2, 3, 4].map((n) => failedLoginDelayMs(n, 250))).toEqual([250, 500, 1000, 2000]);
    expect(failedLoginDelayMs(20, 250)).toBe(5000);
  });

  it('compares secrets only when both are present and equal', () => {
    expect(isSameSecret('abc', 'abc')).toBe(true);
    expect(isSameSecret('abc', 'abd')).toBe(false);
    expect(isSameSecret('', '')).toBe(false);
    expect(isSameSecret(undefined, 'abc')).toBe(false);
  });
});
