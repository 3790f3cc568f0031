/**
 * bull-board at /queues. Admins get a board that can retry, promote and remove jobs; everyone else a
 * read-only board showing only the queues of their organisations (plus the shared batch and scheduler
 * queues, whose jobs carry ids only). Boards are built per set of organisations and kept while the
 * queue list is unchanged.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { NextFunction, Request, Response } from 'express';
import { getAuth } from './http-auth.ts';
import { canSeeQueue, type QueueSet } from './queue-depths.ts';

export const QUEUES_PATH = '/queues';

export function createQueueBoardHandler(queueSet: QueueSet) {
  // Boards keyed by "admin" or the organisation ids; rebuilt when the queue list changes.
  const boards = new Map<string, { names: string; router: ReturnType<ExpressAdapter['getRouter']> }>();

  const build = (queues: Queue[], readOnlyMode: boolean) => {
    const serverAdapter = new ExpressAdapter();
    serverAdapter.setBasePath(QUEUES_PATH);
    createBullBoard({
      queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode, allowRetries: !readOnlyMode })),
      // @bull-board/express 9.10.1 pins its own copy of @bull-board/api 9.10.1 while the project has 9.10.2:
      // the same shapes, declared twice, so TypeScript sees two types. Align the versions to drop this cast.
      serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
      options: {
        uiConfig: { boardTitle: readOnlyMode ? 'lrs-relay queues (read-only)' : 'lrs-relay queues' },
      },
    });
    return serverAdapter.getRouter();
  };

  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const { actor } = getAuth(res);
    const queues = (await queueSet.list()).filter((q) => canSeeQueue(actor, q.name));
    const key = actor.isAdmin ? 'admin' : `staff:${(actor.organisationIds ?? []).join(',')}`;
    const names = queues.map((q) => q.name).join(',');
    let board = boards.get(key);
    if (!board || board.names !== names) {
      if (boards.size > 200) boards.clear();
      board = { names, router: build(queues, !actor.isAdmin) };
      boards.set(key, board);
    }
    (board.router as (req: Request, res: Response, next: NextFunction) => void)(req, res, next);
  };
}
