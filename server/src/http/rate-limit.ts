// Fixed-window counters in Redis, shared by every API process: calls per admin token per minute,
// failed admin authentications per client address per minute (guessing tokens), attempts on the
// key connect page per address. If Redis is down the limit is not enforced (logged): support must
// not be locked out by a Redis outage.
import type { Logger } from '../logger.ts';
import type { Redis } from '../redis.ts';

export class RedisRateLimiter {
  private warnedAt = 0;

  constructor(
    private readonly deps: {
      redis: Redis;
      prefix: string;
      logger: Logger;
      callsPerMinute: number;
      authFailuresPerMinute: number;
    },
  ) {}

  /** Counts one call of `key` against `limit`; answers how long to wait when over it. */
  private async hit(key: string, limit: number): Promise<{ ok: boolean; retryAfter: number }> {
    const window = Math.floor(Date.now() / 60_000);
    const k = `${this.deps.prefix}:admin-rl:${key}:${window}`;
    try {
      const [[, n]] = (await this.deps.redis.multi().incr(k).expire(k, 120).exec()) as [
        [Error | null, number],
      ];
      return { ok: n <= limit, retryAfter: 60 - Math.floor((Date.now() / 1000) % 60) };
    } catch (err) {
      if (Date.now() - this.warnedAt > 60_000) {
        this.warnedAt = Date.now();
        this.deps.logger.warn({ err }, 'admin rate limit not enforced: Redis unavailable');
      }
      return { ok: true, retryAfter: 0 };
    }
  }

  call(actorKey: string) {
    return this.hit(`call:${actorKey}`, this.deps.callsPerMinute);
  }

  failedAuth(address: string) {
    return this.hit(`authfail:${address}`, this.deps.authFailuresPerMinute);
  }
}
