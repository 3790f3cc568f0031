/**
 * Writes the code table (src/codes/table.ts) into lrs.response_code so the MIS and support staff can join on
 * it. The table in code is the source; the database table is replaced to match.
 */
import type pg from 'pg';
import { CODE_TABLE } from './table.ts';
import type { CodeEntry } from './types.ts';

export interface ResponseCodeRow {
  code: string;
  source: 'lrs' | 'relay';
  class: string;
  meaning: string;
  retry: string;
  resolution: string;
}

/** The rows the seed writes, one per code of the table. */
export function responseCodeRows(table: readonly CodeEntry[] = CODE_TABLE): ResponseCodeRow[] {
  return table.map((c) => ({
    code: c.code,
    source: c.source,
    class: c.class,
    meaning: c.meaning,
    retry: c.retry,
    resolution: c.resolution,
  }));
}

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
