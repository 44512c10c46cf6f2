// Per request: the pool a GET reads from (read-routing.ts), told in the DisputeDesk-Read-From
// header (`replica` or `primary`), and for any other method the caller's write marked so that its
// next reads see it. Routes read with `readPool(res, deps.pool)`.
import type { NextFunction, Request, Response } from 'express';
import type { Pool } from '../db.ts';
import type { ReadRouting } from '../read-routing.ts';

export const READ_FROM_HEADER = 'DisputeDesk-Read-From';

export function routeReads(routing: ReadRouting, scopesOf: (res: Response) => string[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    chooseReads(routing, req.method, res, scopesOf(res)).then(() => next(), next);
  };
}

/** For a GET: picks and records the read pool. Otherwise marks the write under `scopes`. */
export async function chooseReads(
  routing: ReadRouting,
  method: string,
  res: Response,
  scopes: string[],
): Promise<Pool | null> {
  if (method === 'GET' || method === 'HEAD') {
    const choice = await routing.choose(scopes);
    res.locals.readPool = choice.pool;
    res.setHeader(READ_FROM_HEADER, choice.target);
    return choice.pool;
  }
  if (scopes.length === 0) return null;
  await routing.beginWrite(scopes);
  // After the answer (the use case has committed): until the replica has replayed this position,
  // reads under these scopes go to the primary.
  res.once('close', () => void routing.endWrite(scopes));
  return null;
}

/** The pool this request's reads go to: the one routeReads chose, else the primary. */
export const readPool = (res: Response, primary: Pool): Pool =>
  (res.locals.readPool as Pool | undefined) ?? primary;
