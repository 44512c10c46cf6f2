// Who is calling the admin API: a token from admin_tokens (tokens.ts), or a bootstrap
// token from ADMIN_API_TOKENS (role admin; compared as SHA-256 digests in constant time).
// Missing or bad → 401 (and counted per address: too many → 429); over the per-token call
// limit → 429. Roles are checked per route (route-registry.ts).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Pool } from '../db.ts';
import { AppError } from '../errors.ts';
import type { AdminRateLimiter } from './rate-limit.ts';
import type { Actor } from './roles.ts';
import { tokenActor } from './tokens.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** `Bearer <token>`, or HTTP Basic with the token as the password (browsers, for Bull Board). */
function presentedToken(header: string): string {
  if (header.startsWith('Bearer ')) return header.slice(7).trim();
  if (header.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1);
  }
  return '';
}

export function adminActor(res: Response): Actor {
  return res.locals.adminActor as Actor;
}

const tooMany = (retryAfter: number, what: string) =>
  new AppError('rate_limited', `Too many ${what}; retry in ${retryAfter} s.`, { retryAfter });

export function authenticateAdmin(deps: {
  pool: Pool;
  bootstrapTokens: readonly string[];
  limiter: AdminRateLimiter;
}) {
  const bootstrap = deps.bootstrapTokens.map(digest);
  return async (req: Request, res: Response, next: NextFunction) => {
    const address = req.ip ?? 'unknown';
    const blocked = await deps.limiter.blocked(address);
    if (blocked) return next(tooMany(blocked, 'failed authentications from this address'));
    const token = presentedToken(req.get('authorization') ?? '');
    let actor: Actor | null = null;
    if (token) {
      const given = digest(token);
      let isBootstrap = false;
      for (const d of bootstrap) if (timingSafeEqual(d, given)) isBootstrap = true;
      actor = isBootstrap
        ? { id: null, name: 'bootstrap token (ADMIN_API_TOKENS)', role: 'admin' }
        : await tokenActor(deps.pool, token);
    }
    if (!actor) {
      await deps.limiter.failedAuth(address);
      // Lets a browser ask for the token (user name ignored) when opening Bull Board.
      res.setHeader('www-authenticate', 'Basic realm="DisputeDesk admin", charset="UTF-8"');
      return next(
        new AppError(
          'unauthorized',
          token
            ? 'The admin token is unknown, expired or revoked.'
            : 'An admin bearer token is required (Authorization: Bearer …).',
        ),
      );
    }
    const limit = await deps.limiter.call(actor.id ?? 'bootstrap');
    if (!limit.ok) return next(tooMany(limit.retryAfter, 'admin calls for this token'));
    res.locals.adminActor = actor;
    next();
  };
}
