/**
 * bull-board at /queues. Admins get a board that can retry, promote and remove jobs; everyone else a
 * read-only board without Redis server details, showing only the queues of their organisations (plus the shared batch and scheduler
 * queues, whose jobs carry ids only). Boards are built per set of organisations and kept while the
 * queue list is unchanged. bull-board reads Redis directly (server info, key scans), so with the queues
 * in Postgres /queues is a plain page of queue depths that says so instead.
 */
import { createBullBoard } from '@bull-board/api';
import { ExpressAdapter } from '@bull-board/express';
import type { NextFunction, Request, Response } from 'express';
import { QUEUES, type QueueBackendKind } from '../queues/catalogue.ts';
import type { QueueReader } from '../queues/connection.ts';
import { html } from './html.ts';
import { getAuth } from './http-auth.ts';
import { renderPage } from './pages/layout.ts';
import { canSeeQueue, getQueueDepths, type QueueSet } from './queue-depths.ts';

export const QUEUES_PATH = '/queues';

export function createQueueBoardHandler(queueSet: QueueSet, backend: QueueBackendKind = 'redis') {
  if (backend === 'postgres') return createQueueDepthsPage(queueSet);
  // Boards keyed by "admin" or the organisation ids; rebuilt when the queue list changes.
  const boards = new Map<string, { names: string; router: ReturnType<ExpressAdapter['getRouter']> }>();

  const build = (queues: QueueReader[], readOnlyMode: boolean) => {
    const serverAdapter = new ExpressAdapter();
    serverAdapter.setBasePath(QUEUES_PATH);
    createBullBoard({
      // Each organisation's queue says whose it is (React renders it as text: escaped).
      queues: queues.map((q) => {
        const organisation = queueSet.organisationOf(q.name);
        return q.boardAdapter({
          readOnlyMode,
          ...(organisation
            ? { displayName: `${q.name} · ${organisation}`, description: `Single calls of ${organisation}` }
            : {}),
        });
      }),
      // @bull-board/express 9.10.1 pins its own copy of @bull-board/api 9.10.1 while the project has 9.10.2:
      // the same shapes, declared twice, so TypeScript sees two types. Align the versions to drop this cast.
      serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
      options: {
        uiConfig: {
          boardTitle: readOnlyMode ? 'lrs-relay queues (read-only)' : 'lrs-relay queues',
          miscLinks: [
            { text: 'Dashboard', url: '/' },
            { text: 'Organisations', url: '/organisations' },
          ],
          // Redis version, memory, clients and uptime are for administrators only.
          hideRedisDetails: readOnlyMode,
        },
      },
    });
    const router = serverAdapter.getRouter();
    // The adapter's router is an express app of its own, which would announce itself again.
    if ('disable' in router && typeof router.disable === 'function') router.disable('x-powered-by');
    return router;
  };

  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const { actor } = getAuth(res);
    const queues = (await queueSet.list()).filter((q) => canSeeQueue(actor, q.name));
    const key = actor.isAdmin ? 'admin' : `staff:${(actor.organisationIds ?? []).join(',')}`;
    // Rebuilt when a queue comes or goes, or an organisation is renamed.
    const names = queues.map((q) => `${q.name}=${queueSet.organisationOf(q.name) ?? ''}`).join(',');
    let board = boards.get(key);
    if (!board || board.names !== names) {
      if (boards.size > 200) boards.clear();
      board = { names, router: build(queues, !actor.isAdmin) };
      boards.set(key, board);
    }
    (board.router as (req: Request, res: Response, next: NextFunction) => void)(req, res, next);
  };
}

/** /queues when the queues live in Postgres: the depths of each queue the actor may see, and why there is no bull-board. */
function createQueueDepthsPage(queueSet: QueueSet) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (req.method !== 'GET' || (req.path !== '/' && req.path !== '')) return next();
    const auth = getAuth(res);
    const queues = (await queueSet.list()).filter((q) => canSeeQueue(auth.actor, q.name));
    const depths = await getQueueDepths(queues);
    const rows = depths.map((d) => {
      const organisation = queueSet.organisationOf(d.queue);
      return html`<tr data-queue="${d.queue}"><td>${d.queue}</td><td>${
        organisation
          ? html`<a href="/organisations#organisation-${d.queue.slice(QUEUES.singlePrefix.length)}">${organisation}</a>`
          : html`<span class="muted">all organisations</span>`
      }</td><td class="num">${d.waiting}</td><td class="num">${d.active}</td><td class="num">${d.delayed}</td><td class="num">${d.failed}</td></tr>`;
    });
    const body = html`<p class="note">The queues live in Postgres (QUEUE_BACKEND=postgres). bull-board reads Redis only, so it is not
available here; these are the job counts from the queue tables. Requests, their attempts and their outcomes are on the
<a href="/requests">Requests</a> page as usual.</p>
<table><thead><tr><th>Queue</th><th>Organisation</th><th>Waiting</th><th>Active</th><th>Delayed</th><th>Failed</th></tr></thead><tbody>${rows}</tbody></table>`;
    res
      .status(200)
      .type('html')
      .setHeader('Cache-Control', 'no-store')
      .send(renderPage({ title: 'Queues', auth, body }).value);
  };
}
