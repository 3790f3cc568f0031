/**
 * SQL of lrs.mis_login: which organisations a database login of the MIS may act for. What the mapping
 * means, and who may change it, is in src/orgs/mis-logins.ts and docs/security.md.
 */
import type pg from 'pg';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export interface MisLoginRow {
  roleName: string;
  organisationId: number;
  ukprn: string | null;
  organisationRef: string | null;
  organisationName: string;
  grantedBy: string;
  createdAt: Date;
  /** False when no Postgres role has this name (dropped since it was mapped). */
  roleExists: boolean;
  /** Whether the role may log in (a group role's members log in instead). */
  roleCanLogin: boolean;
}

/** Whether a Postgres role of this name exists, and whether it may log in. */
export async function selectRole(
  db: Queryable,
  roleName: string,
): Promise<{ canLogin: boolean; isSuperuser: boolean } | undefined> {
  const r = await db.query<{ can_login: boolean; is_superuser: boolean }>(
    'select rolcanlogin as can_login, rolsuper as is_superuser from pg_catalog.pg_roles where rolname = $1',
    [roleName],
  );
  const row = r.rows[0];
  return row ? { canLogin: row.can_login, isSuperuser: row.is_superuser } : undefined;
}

/** Maps `roleName` to each organisation (already mapped ones are left as they are). Returns how many were added. */
export async function insertMisLogins(
  db: Queryable,
  o: { roleName: string; organisationIds: readonly number[]; grantedBy: string },
): Promise<number> {
  const r = await db.query(
    `insert into lrs.mis_login (role_name, organisation_id, granted_by)
     select $1, id, $3 from unnest($2::int[]) as id
     on conflict (role_name, organisation_id) do nothing`,
    [o.roleName, o.organisationIds, o.grantedBy],
  );
  return r.rowCount ?? 0;
}

/** Removes the mappings of `roleName` to each organisation. Returns how many were removed. */
export async function deleteMisLogins(
  db: Queryable,
  o: { roleName: string; organisationIds: readonly number[] },
): Promise<number> {
  const r = await db.query(
    'delete from lrs.mis_login where role_name = $1 and organisation_id = any($2::int[])',
    [o.roleName, o.organisationIds],
  );
  return r.rowCount ?? 0;
}

/** Every mapping (or one role's), by role name then organisation. */
export async function selectMisLogins(db: Queryable, roleName?: string): Promise<MisLoginRow[]> {
  const r = await db.query<MisLoginRow>(
    `select m.role_name as "roleName", m.organisation_id as "organisationId", o.ukprn,
            o.organisation_ref as "organisationRef", o.name as "organisationName",
            m.granted_by as "grantedBy", m.created_at as "createdAt",
            g.oid is not null as "roleExists", coalesce(g.rolcanlogin, false) as "roleCanLogin"
       from lrs.mis_login m
       join lrs.organisation o on o.id = m.organisation_id
       left join pg_catalog.pg_roles g on g.rolname = m.role_name
      where $1::text is null or m.role_name = $1
      order by m.role_name, m.organisation_id`,
    [roleName ?? null],
  );
  return r.rows;
}
