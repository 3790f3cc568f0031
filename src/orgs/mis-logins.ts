/**
 * Organisation scoping of MIS logins: a database login granted lrs_mis acts only for the organisations
 * it is mapped to (lrs.submit_request refuses others with SQLSTATE 42501; lrs.learner_status shows only
 * their rows). The mapping is the schema owner's to change, so these run as the role that runs
 * `lrs-relay migrate`. Docs: docs/security.md "Organisation scoping of MIS logins".
 */
import type { SupportDb } from '../db/pool.ts';
import {
  deleteMisLogins,
  insertMisLogins,
  selectMisLogins,
  selectRole,
  type MisLoginRow,
} from '../db/mis-logins.ts';

export type { MisLoginRow };

/** A mapping refused, with what to do. */
export class MisLoginError extends Error {
  override readonly name = 'MisLoginError';
}

const OWNER_ONLY =
  'only the role that owns the lrs schema (the one `lrs-relay migrate` runs as) may change MIS login mappings; run this with its DATABASE_URL';

function explainWriteError(e: unknown): never {
  if ((e as { code?: unknown } | null)?.code === '42501') throw new MisLoginError(OWNER_ONLY, { cause: e });
  throw e;
}

/** Maps a role to organisations. Refuses a role that does not exist, and superusers (never scoped). */
export async function grantMisLogin(
  db: SupportDb,
  o: { roleName: string; organisationIds: readonly number[]; grantedBy: string },
): Promise<number> {
  const role = await selectRole(db.pool, o.roleName);
  if (!role)
    throw new MisLoginError(
      `no database role is called ${JSON.stringify(o.roleName)}: create the MIS's login first (CREATE ROLE … LOGIN IN ROLE lrs_mis), then map it`,
    );
  if (role.isSuperuser)
    throw new MisLoginError(
      `${JSON.stringify(o.roleName)} is a superuser, which no mapping limits: give the MIS a login of its own granted lrs_mis`,
    );
  return insertMisLogins(db.pool, o).catch(explainWriteError);
}

/** Removes a role's mappings to organisations; the role then acts for them no more, from its next statement. */
export async function revokeMisLogin(
  db: SupportDb,
  o: { roleName: string; organisationIds: readonly number[] },
): Promise<number> {
  return deleteMisLogins(db.pool, o).catch(explainWriteError);
}

export function listMisLogins(db: SupportDb, roleName?: string): Promise<MisLoginRow[]> {
  return selectMisLogins(db.pool, roleName);
}
