/**
 * The code table (src/codes/table.ts) as the rows of lrs.response_code, which the MIS and support staff
 * join on. The table in code is the source; `lrs-relay migrate` replaces the database table to match
 * (src/db/response-codes.ts).
 */
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
