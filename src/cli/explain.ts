/** `lrs-relay explain <code>`: what a response or error code means and what to do. */
import { parseArgs } from 'node:util';
import { terminalLine, jsonText, withCliContext, type CliContext } from './kit.ts';
import { explainCode } from '../support/queries.ts';
import { suggestCode } from '../codes/suggest.ts';

const USAGE = `Usage: lrs-relay explain <code> [--json]   e.g. lrs-relay explain WSRC0003`;

export async function runExplain(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    ctx.io.out(USAGE);
    return 0;
  }
  const code = positionals[0]?.trim();
  if (!code || positionals.length > 1) {
    ctx.io.err(USAGE);
    return 2;
  }
  // Codes are upper case in the catalogue; accept what a person types.
  let info = await explainCode(ctx.db, code);
  if (info.meaning === null && code !== code.toUpperCase())
    info = await explainCode(ctx.db, code.toUpperCase());
  const isKnown = info.meaning !== null;
  // Not catalogued as typed: say so, and explain the nearest code (zero padding, a slip of a digit).
  const nearest = isKnown ? undefined : suggestCode(code);
  const near = nearest === undefined ? undefined : await explainCode(ctx.db, nearest);
  if (values.json) {
    ctx.io.out(jsonText({ ...info, known: isKnown, ...(near?.meaning ? { nearest: near } : {}) }));
    return isKnown ? 0 : 1;
  }
  if (!isKnown) {
    ctx.io.out(terminalLine`${code} is not in the catalogue of LRS and lrs-relay codes.`);
    if (!near?.meaning) {
      ctx.io.out('If the LRS sent it, keep the request id and ask the LRS service desk what it means.');
      return 1;
    }
    ctx.io.out(terminalLine`The nearest code in the catalogue is ${near.code}:`);
    info = near;
  }
  ctx.io.out(
    terminalLine`${info.code}  (${info.source === 'lrs' ? 'sent by the LRS' : 'decided by lrs-relay'})`,
  );
  ctx.io.out(terminalLine`  meaning     ${info.meaning}`);
  ctx.io.out(terminalLine`  class       ${info.class}`);
  ctx.io.out(terminalLine`  retry       ${info.retry}`);
  ctx.io.out(terminalLine`  what to do  ${info.resolution}`);
  return isKnown ? 0 : 1;
}

export function run(args: string[]): Promise<number> {
  return withCliContext((ctx) => runExplain(args, ctx));
}
