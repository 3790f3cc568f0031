/**
 * The SQL of lrs.organisation: the rows the organisations' store (src/orgs/store.ts) reads and writes for
 * staff and the CLI (in drizzle), and the plain reads of the workers and the dashboard. What the stored
 * references mean, and how a refused write is explained, is src/orgs/'s.
 */
import { and, asc, count, eq, isNotNull, notInArray, or, sql } from 'drizzle-orm';
import { organisation, request, TERMINAL_STATUSES } from '../../db/schema.ts';
import type { Db } from './pool.ts';
import type { Queryable } from './transaction.ts';

/** A row of lrs.organisation as stored. */
export type OrganisationRow = typeof organisation.$inferSelect;
/** The columns an insert sets (the rest have defaults). */
export type OrganisationInsert = typeof organisation.$inferInsert;

export async function insertOrganisationRow(db: Db, values: OrganisationInsert): Promise<OrganisationRow> {
  const [row] = await db.insert(organisation).values(values).returning();
  if (!row) throw new Error('insert returned no row');
  return row;
}

/** Sets the given columns (and updated_at); undefined when there is no such organisation. */
export async function updateOrganisationRow(
  db: Db,
  id: number,
  values: Partial<OrganisationInsert>,
): Promise<OrganisationRow | undefined> {
  const [row] = await db
    .update(organisation)
    .set({ ...values, updatedAt: sql`now()` })
    .where(eq(organisation.id, id))
    .returning();
  return row;
}

export async function recordCertificateNotAfter(db: Db, id: number, notAfter: Date | null): Promise<void> {
  await db.update(organisation).set({ certificateNotAfter: notAfter }).where(eq(organisation.id, id));
}

export async function selectOrganisationById(db: Db, id: number): Promise<OrganisationRow | undefined> {
  const [row] = await db.select().from(organisation).where(eq(organisation.id, id));
  return row;
}

/** Organisations whose UKPRN or organisation reference is `key`, or whose id is `id`; by id. */
export async function selectOrganisationsByKey(
  db: Db,
  key: string,
  id: number | undefined,
): Promise<OrganisationRow[]> {
  const byCode = or(eq(organisation.ukprn, key), eq(organisation.organisationRef, key));
  const where = id === undefined ? byCode : or(eq(organisation.id, id), byCode);
  return db.select().from(organisation).where(where).orderBy(asc(organisation.id));
}

export async function selectAllOrganisations(db: Db): Promise<OrganisationRow[]> {
  return db.select().from(organisation).orderBy(asc(organisation.id));
}

/** Every organisation with a recorded certificate expiry. */
export async function selectCertificateExpiries(
  db: Db,
): Promise<{ ukprn: string | null; organisationRef: string | null; notAfter: Date | null }[]> {
  return db
    .select({
      ukprn: organisation.ukprn,
      organisationRef: organisation.organisationRef,
      notAfter: organisation.certificateNotAfter,
    })
    .from(organisation)
    .where(isNotNull(organisation.certificateNotAfter));
}

/** Requests of the organisation not yet in a terminal state (they stay visible when it is disabled). */
export async function countOpenRequests(db: Db, organisationId: number): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(request)
    .where(
      and(eq(request.organisationId, organisationId), notInArray(request.status, [...TERMINAL_STATUSES])),
    );
  return row?.n ?? 0;
}

/** What a worker of an organisation's queue is sized by. */
export interface OrganisationLimits {
  id: number;
  concurrencyShare: number;
  /** Calls per second, or null for the relay's default. */
  rateLimitPerSecond: number | null;
}

/** Every organisation that is not disabled, with its limits. */
export async function listEnabledOrganisationLimits(pool: Queryable): Promise<OrganisationLimits[]> {
  const r = await pool.query<OrganisationLimits>(
    `select id, concurrency_share as "concurrencyShare", rate_limit_per_second as "rateLimitPerSecond"
       from lrs.organisation where not is_disabled`,
  );
  return r.rows;
}
