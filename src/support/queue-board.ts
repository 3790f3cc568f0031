/**
 * bull-board at /queues/board, linked from our own /queues page. Admins get a board that can retry,
 * promote and remove jobs; everyone else a read-only board without Redis server details, showing only
 * the queues of their organisations (plus the shared batch and scheduler queues, whose jobs carry ids
 * only). Boards are built per set of organisations and kept while the queue list is unchanged.
 * bull-board reads Redis directly (server info, key scans), so it is mounted only when the queues live
 * in Redis. It is a third-party React app that our accessibility checks do not hold to axe (its
 * icon-only buttons have no names and its logo no text): /queues is the accessible view.
 */
import { createBullBoard } from '@bull-board/api';
import { ExpressAdapter } from '@bull-board/express';
import type { NextFunction, Request, Response } from 'express';
import type { QueueReader } from '../queues/connection.ts';
import { getAuth } from './http-auth.ts';
import { BOARD_PATH } from './pages/queues.ts';
import { canSeeQueue, type QueueSet } from './queue-depths.ts';

/** bull-board for the actor's queues; mount at BOARD_PATH, queues in Redis only. */
export function createQueueBoardHandler(queueSet: QueueSet) {
  // Boards keyed by "admin" or the organisation ids; rebuilt when the queue list changes.
  const boards = new Map<string, { names: string; router: ReturnType<ExpressAdapter['getRouter']> }>();

  const build = (queues: QueueReader[], readOnlyMode: boolean) => {
    const serverAdapter = new ExpressAdapter();
    serverAdapter.setBasePath(BOARD_PATH);
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
            { text: 'Queues', url: '/queues' },
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
