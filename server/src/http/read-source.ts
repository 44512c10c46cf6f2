// Per request: the pool a GET reads from (read-routing.ts), told in the DisputeDesk-Read-From
// header (`replica` or `primary`), and for any other method the caller's write marked so that its
// next reads see it. Routes read with `readPool(res, deps.pool)`.
import type { NextFunction, Request, Response } from 'express';
import type { Pool } from '../db.ts';
import type { ReadRouting } from '../read-routing.ts';

export const READ_FROM_HEADER = 'DisputeDesk-Read-From';

export function routeReads(routing: ReadRouting, tenantOf: (res: Response) => string | null) {
  return (req: Request, res: Response, next: NextFunction) => {
    const tenantId = tenantOf(res);
    if (req.method === 'GET' || req.method === 'HEAD') {
      routing.choose(tenantId).then((choice) => {
        res.locals.readPool = choice.pool;
        res.setHeader(READ_FROM_HEADER, choice.target);
        next();
      }, next);
      return;
    }
    if (!tenantId) return next();
    routing.beginWrite(tenantId).then(() => {
      // After the answer (the use case has committed): until the replica has replayed this
      // position, the tenant's reads go to the primary.
      res.once('close', () => void routing.endWrite(tenantId));
      next();
    }, next);
  };
}

/** The pool this request's reads go to: the one routeReads chose, else the primary. */
export const readPool = (res: Response, primary: Pool): Pool =>
  (res.locals.readPool as Pool | undefined) ?? primary;
