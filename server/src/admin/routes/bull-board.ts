// Bull Board (the BullMQ dashboard) over every queue, under /admin/queues, behind the admin
// authentication like the API; a browser signs in with HTTP Basic, the admin token as the
// password. Viewers and operators get it read-only (its write buttons hidden, and any write
// refused here whatever the board does); admins may retry, clean, promote, add or obliterate,
// and each such write is audited write-ahead like an admin API call (audit-log.ts).
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { NextFunction, Request, Response, Router } from 'express';
import type { Pool } from '../../db.ts';
import { AppError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { QUEUE_NAMES, type Queues } from '../../queues.ts';
import { completeAudit, startAudit } from '../access/audit-log.ts';
import { adminActor } from '../access/authenticate-admin.ts';

export const BULL_BOARD_PATH = '/admin/queues';

function board(queues: Queues, readOnlyMode: boolean): Router {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: (Object.keys(QUEUE_NAMES) as Array<keyof typeof QUEUE_NAMES>).map(
      (k) => new BullMQAdapter(queues[k], { readOnlyMode }),
    ),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'DisputeDesk queues' } },
  });
  return adapter.getRouter() as Router;
}

const reads = new Set(['GET', 'HEAD']);

export function bullBoard(deps: { queues: Queues; pool: Pool; logger: Logger }) {
  const readOnly = board(deps.queues, true);
  const full = board(deps.queues, false);
  return async (req: Request, res: Response, next: NextFunction) => {
    const actor = adminActor(res);
    if (reads.has(req.method)) return (actor.role === 'admin' ? full : readOnly)(req, res, next);
    if (actor.role !== 'admin') {
      return next(
        new AppError(
          'forbidden',
          `Bull Board is read-only for the ${actor.role} role; changing queues needs admin.`,
          { required: 'admin', role: actor.role },
        ),
      );
    }
    let auditId: string;
    try {
      auditId = await startAudit(deps.pool, {
        actor,
        action: `${req.method} ${BULL_BOARD_PATH}${req.path}`,
        target: /^\/api\/queues\/([^/]+)/.exec(req.path)?.[1] ?? null,
        params: { query: req.query, body: (req.body as unknown) ?? null },
        ip: req.ip ?? null,
      });
    } catch (err) {
      return next(err); // no audit row, no write
    }
    res.on('finish', () => {
      completeAudit(deps.pool, auditId, res.statusCode, null).catch((err: unknown) =>
        deps.logger.error({ err, auditId }, 'Bull Board audit outcome not recorded'),
      );
    });
    full(req, res, next);
  };
}
