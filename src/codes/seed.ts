/**
 * Writes the response-code catalogue (src/codes/catalogue.ts) into lrs.response_code so the MIS and
 * support staff can join on it. The catalogue in code is the source; the table is replaced to match.
 */
import type pg from 'pg';

export interface ResponseCodeRow {
  code: string;
  source: 'lrs' | 'relay';
  class: string;
  meaning: string;
  retry: string;
  resolution: string;
}

export async function seedResponseCodes(client: pg.ClientBase, rows?: ResponseCodeRow[]): Promise<number> {
  const entries = rows ?? (await loadCatalogue());
  await client.query('begin');
  try {
    await client.query(
      `insert into lrs.response_code (code, source, class, meaning, retry, resolution)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
       on conflict (code) do update set source = excluded.source, class = excluded.class,
         meaning = excluded.meaning, retry = excluded.retry, resolution = excluded.resolution`,
      [
        entries.map((e) => e.code),
        entries.map((e) => e.source),
        entries.map((e) => e.class),
        entries.map((e) => e.meaning),
        entries.map((e) => e.retry),
        entries.map((e) => e.resolution),
      ],
    );
    await client.query('delete from lrs.response_code where not (code = any($1::text[]))', [
      entries.map((e) => e.code),
    ]);
    await client.query('commit');
  } catch (e) {
    await client.query('rollback');
    throw e;
  }
  return entries.length;
}

async function loadCatalogue(): Promise<ResponseCodeRow[]> {
  const { ALL_CODES } = await import('./explain.ts');
  return ALL_CODES.map((c) => ({
    code: c.code,
    source: c.source,
    class: c.class,
    meaning: c.meaning,
    retry: c.retry,
    resolution: c.resolution,
  }));
}
