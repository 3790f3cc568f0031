/** Adapts the response-code catalogue to the rows of lrs.response_code. */
import type { ResponseCodeRow } from '../seed-response-codes.ts';

export function responseCodeRows(): ResponseCodeRow[] {
  return [];
}
