import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 21 / docs/deployment.md "Redis Cluster": with REDIS_CLUSTER_NODES set, every process runs its queues on the cluster, never on REDIS_URL',
  switchedOff: 'createRedis ignores REDIS_CLUSTER_NODES and connects to REDIS_URL as a single Redis',
  edits: [
    {
      file: 'src/queues/redis.ts',
      find: '  const clusterNodes = o.target.REDIS_CLUSTER_NODES;',
      replace: '  const clusterNodes = (false as boolean) ? o.target.REDIS_CLUSTER_NODES : undefined;',
    },
  ],
  tests: [
    {
      file: 'test/integration/redis-cluster.test.ts',
      name: 'runs the demo of 500 learners on the cluster, every request terminal, the masters doing the work',
    },
    {
      file: 'test/integration/redis-cluster.test.ts',
      name: 'carries single calls and a batch through a master failover',
    },
  ],
  ci: false,
});
