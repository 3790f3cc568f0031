import { describe, expect, it } from 'vitest';
import { explainDatabaseError } from '../../../src/cli/kit.ts';

const URL_WITH_PASSWORD = 'postgres://relay:hunter2secret@db.internal:6543/mis';

function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('explainDatabaseError', () => {
  it.each([
    ['ECONNREFUSED', /nothing answers there; start Postgres or set DATABASE_URL/],
    ['ENOTFOUND', /host name is unknown; correct the host in DATABASE_URL/],
    ['28P01', /password was refused; correct the user or password in DATABASE_URL/],
    ['3D000', /database does not exist/],
    ['42P01', /run `lrs-relay migrate`/],
  ])('says where it looked and what to do for %s, never the password', (code, advice) => {
    const original = pgError(code, 'what the driver said');
    const e = explainDatabaseError(original, URL_WITH_PASSWORD);
    expect(e?.message).toMatch(/^cannot use the database at db\.internal:6543\/mis: /);
    expect(e?.message).toMatch(advice);
    expect(e?.message).toContain('(what the driver said)');
    expect(e?.message).not.toContain('hunter2secret');
    expect(e?.cause).toBe(original);
  });

  it('leaves other errors alone', () => {
    expect(
      explainDatabaseError(new Error('--limit must be a positive whole number'), URL_WITH_PASSWORD),
    ).toBeUndefined();
    expect(explainDatabaseError(pgError('23505', 'duplicate key'), URL_WITH_PASSWORD)).toBeUndefined();
    expect(explainDatabaseError(null, URL_WITH_PASSWORD)).toBeUndefined();
  });
});
