// Our own limit on calls to Stripe, per account and mode, below Stripe's (25/s test, 100/s live),
// shared by every worker process: a counter per account and second in Redis. A caller over the
// budget waits for the next second (with jitter, so waiting callers do not stampede).
import type { Redis } from '../redis.ts';

export class StripeRateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly perSecond: { test: number; live: number },
  ) {}

  /** Resolves when one more call for this account and mode fits in the budget. */
  async take(account: string, livemode: boolean): Promise<void> {
    const limit = livemode ? this.perSecond.live : this.perSecond.test;
    if (limit <= 0) return;
    for (;;) {
      const now = Date.now();
      const second = Math.floor(now / 1000);
      const key = `${this.prefix}:rl:${account}:${livemode ? 'live' : 'test'}:${second}`;
      const used = await this.redis.incr(key);
      if (used === 1) await this.redis.expire(key, 2);
      if (used <= limit) return;
      const wait = (second + 1) * 1000 - now + Math.floor(Math.random() * 50);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
