import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { migrateDatabase } from '../db/migrate.ts';

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' }, help: { type: 'boolean' } } });
  if (values.help) {
    console.log(
      'Usage: lrs-relay migrate [--json]\n\nApplies db/migrations to DATABASE_URL under an advisory lock and seeds lrs.response_code.',
    );
    return 0;
  }
  const config = loadConfig();
  const result = await migrateDatabase(config.DATABASE_URL);
  if (values.json) console.log(JSON.stringify(result));
  else
    console.log(
      `Database is up to date: ${result.applied} migration(s) applied now, ${result.total} in all; ${result.responseCodes} response codes seeded.`,
    );
  return 0;
}
