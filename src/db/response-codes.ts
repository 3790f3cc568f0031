/**
 * Writes the code table into lrs.response_code (run by `lrs-relay migrate`): the rows of
 * src/codes/seed.ts replace the table's, in one transaction.
 */
import type pg from 'pg';
import { responseCodeRows, type ResponseCodeRow } from '../codes/seed.ts';

export async function seedResponseCodes(
  client: pg.ClientBase,
  rows: ResponseCodeRow[] = responseCodeRows(),
): Promise<number> {
  await client.query('begin');
  try {
    await client.query(
      `insert into lrs.response_code (code, source, class, meaning, retry, resolution)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
       on conflict (code) do update set source = excluded.source, class = excluded.class,
         meaning = excluded.meaning, retry = excluded.retry, resolution = excluded.resolution`,
      [
        rows.map((e) => e.code),
        rows.map((e) => e.source),
        rows.map((e) => e.class),
        rows.map((e) => e.meaning),
        rows.map((e) => e.retry),
        rows.map((e) => e.resolution),
      ],
    );
    await client.query('delete from lrs.response_code where not (code = any($1::text[]))', [
      rows.map((e) => e.code),
    ]);
    await client.query('commit');
  } catch (e) {
    await client.query('rollback');
    throw e;
  }
  return rows.length;
}
