import { describe, expect, it } from 'vitest';
import { renderOverviewPage } from '../../../src/support/pages/overview.ts';
import type { AuthLocals } from '../../../src/support/http-auth.ts';

const auth: AuthLocals = {
  session: {
    staffUserId: 1,
    username: 'ops',
    isAdmin: true,
    memberOf: [],
    csrfToken: 'x',
    expiresAt: new Date(Date.now() + 60_000),
  },
  actor: { name: 'ops', isAdmin: true, organisationIds: null, personalDataOrganisationIds: null },
};
const overview = {
  byStatus: [],
  openByCode: [],
  lastHour: [],
  latency: [],
  finishedPerBucket: [],
  latencyPerBucket: [],
  exceptionsOpened: [],
};

describe('overview page, queue store not answering', () => {
  it('names Redis on the redis backend', () => {
    const page = String(
      renderOverviewPage({ auth, overview, queues: null, queuesError: 'connect ECONNREFUSED' }),
    );
    expect(page).toContain('The queue store (Redis) is not answering: connect ECONNREFUSED');
    expect(page).toContain('once Redis is back');
  });

  it('names the Postgres queue schema on the postgres backend, never Redis', () => {
    const page = String(
      renderOverviewPage({
        auth,
        overview,
        queues: null,
        queuesError: 'relation "lrs_queue.job" does not exist',
        queueBackend: 'postgres',
      }),
    );
    expect(page).toContain('The queue store (the Postgres queue schema) is not answering');
    expect(page).toContain('once the Postgres queue schema is back');
    expect(page).not.toContain('Redis');
  });
});
