// Who is calling the admin API: a token from admin_tokens (tokens.ts), or a bootstrap
// token from ADMIN_API_TOKENS (role admin; compared as SHA-256 digests in constant time).
// A valid token always gets in, whatever others did from the same address (behind a proxy that
// is everyone); over its per-token call limit → 429. Missing or bad → 401, counted per address
// (too many this minute → 429) and recorded for admins (auth-failures.ts). Roles are checked per
// route (route-registry.ts).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Pool } from '../../db.ts';
import type { Logger } from '../../logger.ts';
import { AppError } from '../../errors.ts';
import { recordAuthFailure } from './auth-failures.ts';
import { RedisRateLimiter } from '../../http/rate-limit.ts';
import type { Redis } from '../../redis.ts';
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

/** What admin authentication is built from (the admin API and every /metrics listener). */
export interface AdminAuthDeps {
  pool: Pool;
  redis: Redis;
  redisPrefix: string;
  bootstrapTokens: readonly string[];
  rateLimits: { callsPerMinute: number; authFailuresPerMinute: number };
  logger: Logger;
}

/** The admin token check with its Redis-counted limits (shared by every route that uses it). */
export function adminAuthentication(deps: AdminAuthDeps) {
  return authenticateAdmin({
    ...deps,
    limiter: new RedisRateLimiter({
      redis: deps.redis,
      prefix: deps.redisPrefix,
      logger: deps.logger,
      ...deps.rateLimits,
    }),
  });
}

function authenticateAdmin(deps: {
  pool: Pool;
  bootstrapTokens: readonly string[];
  limiter: RedisRateLimiter;
  logger: Logger;
}) {
  const bootstrap = deps.bootstrapTokens.map(digest);
  return async (req: Request, res: Response, next: NextFunction) => {
    const address = req.ip ?? 'unknown';
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
      const counted = await deps.limiter.failedAuth(address);
      // The first failures per address and minute are kept as rows; past the limit only counted.
      if (counted.ok) {
        await recordAuthFailure(deps.pool, {
          ip: req.ip ?? null,
          token,
          method: req.method,
          path: req.originalUrl.split('?')[0]!.slice(0, 300),
          userAgent: req.get('user-agent')?.slice(0, 300) ?? null,
        }).catch((err: unknown) => deps.logger.warn({ err }, 'admin auth failure not recorded'));
      } else {
        return next(tooMany(counted.retryAfter, 'failed authentications from this address'));
      }
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
