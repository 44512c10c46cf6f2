// Per request: for a GET, the caller's scopes are kept and the read pool is chosen only when a
// route asks for it (`await readPool(res, deps.pool)`), which also names it in the
// DisputeDesk-Read-From header (`replica` or `primary`) — routes that read the primary directly
// cost no look-up and say nothing. For any other method the caller's write is marked so that its
// next reads see it (read-routing.ts).
import type { NextFunction, Request, Response } from 'express';
import type { Pool } from '../db.ts';
import type { ReadRouting } from '../read-routing.ts';

export const READ_FROM_HEADER = 'DisputeDesk-Read-From';

interface PendingRead {
  routing: ReadRouting;
  scopes: string[];
  chosen?: Promise<Pool>;
}

export function routeReads(routing: ReadRouting, scopesOf: (res: Response) => string[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    markReads(routing, req.method, res, scopesOf(res)).then(() => next(), next);
  };
}

/** For a GET: keeps what `readPool` needs. Otherwise marks the write under `scopes`. */
export async function markReads(
  routing: ReadRouting,
  method: string,
  res: Response,
  scopes: string[],
): Promise<void> {
  if (method === 'GET' || method === 'HEAD') {
    res.locals.pendingRead = { routing, scopes } satisfies PendingRead;
    return;
  }
  if (scopes.length === 0) return;
  await routing.beginWrite(scopes);
  // After the answer (the use case has committed): until the replica has replayed this position,
  // reads under these scopes go to the primary.
  res.once('close', () => void routing.endWrite(scopes));
}

/** The pool this request's reads go to (chosen once, on first use), else the primary. */
export function readPool(res: Response, primary: Pool): Promise<Pool> {
  const pending = res.locals.pendingRead as PendingRead | undefined;
  if (!pending) return Promise.resolve(primary);
  pending.chosen ??= pending.routing.choose(pending.scopes).then((choice) => {
    if (!res.headersSent) res.setHeader(READ_FROM_HEADER, choice.target);
    return choice.pool;
  });
  return pending.chosen;
}
