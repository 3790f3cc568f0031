import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { migrateDatabase } from '../db/migrate.ts';

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' }, help: { type: 'boolean' } } });
  if (values.help) {
    console.log(
      'Usage: lrs-relay migrate [--json]\n\nApplies db/migrations to DATABASE_URL under an advisory lock and seeds lrs.response_code.\n' +
        "With QUEUE_BACKEND=postgres it also creates (or upgrades) BullMQ's queue tables in QUEUE_SCHEMA.",
    );
    return 0;
  }
  const config = loadConfig();
  const result = await migrateDatabase(
    config.DATABASE_URL,
    config.QUEUE_BACKEND === 'postgres' ? { queueSchema: config.QUEUE_SCHEMA } : {},
  );
  if (values.json) console.log(JSON.stringify(result));
  else
    console.log(
      `Database is up to date: ${result.applied} migration(s) applied now, ${result.total} in all; ${result.responseCodes} response codes seeded.` +
        (result.queueSchemaVersion === undefined
          ? ''
          : ` Queue schema ${config.QUEUE_SCHEMA} is at BullMQ schema version ${result.queueSchemaVersion}.`),
    );
  return 0;
}
