/**
 * `lrs-relay acquire-ulns [--org X] [--wait] [--json] [--run-key K]`: runs the bulk ULN acquisition by
 * hand. It only creates the requests; a running relay (worker role) batches and sends them. With
 * --wait it shows a progress bar on stderr until every request of the run is terminal.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { createDatabase } from '../db/pool.ts';
import { acquireUlns } from '../batches/acquire-ulns.ts';
import { completeRunIfDone, countRunProgress, countRunRequestsByStatus } from '../db/acquisition.ts';
import { createCliLogger, jsonText, terminalLine } from './kit.ts';

const USAGE = `Usage: lrs-relay acquire-ulns [--org <UKPRN or ref>] [--wait] [--json] [--run-key <key>]

Reads ACQUIRE_ULNS_VIEW and creates batch-mode register requests for learners without an open one.
  --org       only this organisation
  --wait      follow the run until every request is terminal (needs a running relay with the worker role)
  --json      print one JSON object instead of text
  --run-key   name the run (default manual:<time>); a key already used does nothing`;

function bar(done: number, total: number, width = 30): string {
  const share = total === 0 ? 1 : done / total;
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${(share * 100).toFixed(1)}%`;
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      org: { type: 'string' },
      wait: { type: 'boolean' },
      json: { type: 'boolean' },
      'run-key': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const config = loadConfig();
  const log = createCliLogger(
    'acquire-ulns',
    values.json || config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL,
  );
  const db = createDatabase({
    url: config.DATABASE_URL,
    poolSize: 3,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    applicationName: 'lrs-relay acquire-ulns',
  });
  const tty = process.stderr.isTTY;
  try {
    const runKey =
      values['run-key'] ??
      `manual:${new Date().toISOString().slice(0, 19)}${values.org ? `:${values.org}` : ''}`;
    const result = await acquireUlns({
      pool: db.pool,
      log,
      view: config.ACQUIRE_ULNS_VIEW,
      runKey,
      chunkSize: config.ACQUIRE_ULNS_CHUNK,
      organisation: values.org,
      onChunk: (p) => {
        if (!values.json)
          process.stderr.write(
            `${tty ? '\r' : ''}reading ${config.ACQUIRE_ULNS_VIEW}: ${p.learnersFound} learners, ${p.requestsCreated} requests created${tty ? '' : '\n'}`,
          );
      },
    });
    if (!values.json) process.stderr.write('\n');
    if (result.skipped) {
      if (values.json) console.log(jsonText(result));
      else console.log(terminalLine`Run ${runKey} not started: ${result.reason}.`);
      return 0;
    }
    let progress = { total: result.requestsCreated, done: 0, byStatus: {} as Record<string, number> };
    if (values.wait && result.requestsCreated > 0) {
      for (;;) {
        const p = await countRunProgress(db.pool, runKey);
        progress = { ...progress, ...p };
        if (p.done >= p.total) await completeRunIfDone(db.pool, runKey);
        if (!values.json)
          process.stderr.write(`${tty ? '\r' : ''}${bar(progress.done, progress.total)}${tty ? '' : '\n'}`);
        if (progress.done >= progress.total) break;
        await sleep(1_000);
      }
      if (!values.json) process.stderr.write('\n');
      progress.byStatus = await countRunRequestsByStatus(db.pool, runKey);
    }
    if (values.json) {
      console.log(
        jsonText({
          ...result,
          ...(values.wait ? { completed: progress.done, byStatus: progress.byStatus } : {}),
        }),
      );
    } else {
      console.log(
        terminalLine`Run ${runKey}: ${result.learnersFound} learners in the view, ${result.requestsCreated} requests created` +
          `${result.skippedOrganisation > 0 ? `, ${result.skippedOrganisation} rows skipped (organisation unknown or disabled)` : ''}.`,
      );
      if (values.wait)
        console.log(
          `Finished: ${
            Object.entries(progress.byStatus)
              .map(([s, n]) => `${s} ${n}`)
              .join(', ') || 'nothing to do'
          }.`,
        );
      else
        console.log(
          'A running relay (worker role) batches and sends them; follow with `lrs-relay batches` or run again with --wait.',
        );
    }
    return 0;
  } finally {
    await db.close();
  }
}
