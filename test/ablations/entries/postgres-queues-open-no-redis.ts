import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'README "Deployment sizes": QUEUE_BACKEND=postgres runs every queue in Postgres and opens no Redis connection',
  switchedOff:
    'the Postgres queue store also pings Redis once, then closes that connection (the work still goes through Postgres)',
  edits: [
    {
      file: 'src/queues/store.ts',
      find: "    case 'postgres':\n      return createPostgresQueueConnection(o);",
      replace:
        "    case 'postgres': {\n      const redis = createRedisQueueConnection(o);\n      void redis.ping().catch(() => undefined).finally(() => redis.close());\n      return createPostgresQueueConnection(o);\n    }",
    },
  ],
  tests: [
    {
      file: 'test/integration/demo-postgres.test.ts',
      name: 'finishes 500 students with every request terminal once and nobody registered twice',
    },
  ],
  ci: false,
});
