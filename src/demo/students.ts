/**
 * Writes the demo students into mis.students as an MIS would (its own column names, its trigger doing
 * the rest), in chunks so the relay starts working while enrolment is still going on.
 */
import type pg from 'pg';
import type { DemoStudent } from './population.ts';

/** The MIS user the demo's writes are made as (sent to the LRS as UserName). */
export const DEMO_MIS_USER = 'demo.enrolment';

const INSERT_SQL = `
  insert into mis.students (student_id, ukprn, forename, surname, birth_date, sex, postcode, email, uln, updated_by)
  select s.student_id, $1, s.forename, s.surname, s.birth_date, s.sex, s.postcode, s.email, s.uln, $2
    from unnest($3::text[], $4::text[], $5::text[], $6::date[], $7::text[], $8::text[], $9::text[], $10::text[])
      as s(student_id, forename, surname, birth_date, sex, postcode, email, uln)`;

/** Inserts `students` in chunks of `chunkSize` (default 250); `onChunk` gets the running total. */
export async function insertStudents(
  pool: pg.Pool,
  o: {
    ukprn: string;
    students: readonly DemoStudent[];
    chunkSize?: number;
    onChunk?: (inserted: number) => void;
  },
): Promise<void> {
  const size = o.chunkSize ?? 250;
  for (let i = 0; i < o.students.length; i += size) {
    const chunk = o.students.slice(i, i + size);
    await pool.query(INSERT_SQL, [
      o.ukprn,
      DEMO_MIS_USER,
      chunk.map((s) => s.studentId),
      chunk.map((s) => s.forename),
      chunk.map((s) => s.surname),
      chunk.map((s) => s.birthDate),
      chunk.map((s) => s.sex),
      chunk.map((s) => s.postcode),
      chunk.map((s) => s.email),
      chunk.map((s) => s.uln),
    ]);
    o.onChunk?.(i + chunk.length);
  }
}

/**
 * Students enrolled before lrs-relay was installed: written with the MIS's trigger off (in one
 * transaction, so no other session sees it off), as a bulk load of existing records would be. None is
 * submitted; the nightly ULN acquisition finds them in mis.learners_needing_uln.
 */
export async function insertBacklog(
  pool: pg.Pool,
  o: { ukprn: string; students: readonly DemoStudent[] },
): Promise<void> {
  if (o.students.length === 0) return;
  const c = await pool.connect();
  try {
    await c.query('begin');
    await c.query('alter table mis.students disable trigger students_to_lrs');
    await c.query(INSERT_SQL, [
      o.ukprn,
      'demo.import',
      o.students.map((s) => s.studentId),
      o.students.map((s) => s.forename),
      o.students.map((s) => s.surname),
      o.students.map((s) => s.birthDate),
      o.students.map((s) => s.sex),
      o.students.map((s) => s.postcode),
      o.students.map((s) => s.email),
      o.students.map((s) => s.uln),
    ]);
    await c.query('alter table mis.students enable trigger students_to_lrs');
    await c.query('commit');
  } catch (e) {
    await c.query('rollback').catch(() => {});
    throw e;
  } finally {
    c.release();
  }
}

/**
 * Some students with a ULN move house: the trigger queues an update for each. Returns how many moved.
 * Picks every `every`-th verified student, deterministically.
 */
export async function moveSomeStudents(
  pool: pg.Pool,
  students: readonly DemoStudent[],
  every = 10,
): Promise<number> {
  const movers = students.filter((s) => s.scenario === 'verify').filter((_s, i) => i % every === 0);
  if (movers.length === 0) return 0;
  await pool.query(
    `update mis.students m set postcode = u.postcode, updated_by = 'demo.records', updated_at = now()
       from unnest($1::text[], $2::text[]) as u(student_id, postcode)
      where m.student_id = u.student_id`,
    [movers.map((s) => s.studentId), movers.map((_s, i) => `LS${1 + (i % 28)} ${i % 10}AB`)],
  );
  return movers.length;
}
