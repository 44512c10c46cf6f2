// Support staff authenticate with a bearer token from ADMIN_API_TOKENS (compared as SHA-256
// digests in constant time). Wrong or missing → 401.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function authenticateAdmin(tokens: readonly string[]) {
  const digests = tokens.map(digest);
  return (req: Request, _res: Response, next: NextFunction) => {
    const header = req.get('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    const given = digest(token);
    let ok = false;
    for (const d of digests) if (timingSafeEqual(d, given)) ok = true;
    if (!token || !ok) {
      return next(
        new AppError(
          'unauthorized',
          'An admin bearer token is required (Authorization: Bearer …).',
        ),
      );
    }
    next();
  };
}
