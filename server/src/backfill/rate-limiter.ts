// Our own limit on calls to Stripe, per account and mode, below Stripe's (25/s test, 100/s live),
// shared by every worker process through Redis. Calls are spaced evenly (a GCRA-style "next free
// slot" per account, advanced atomically by a Lua script), so there are no bursts for Stripe's
// token bucket to refuse: a caller is told how long to wait for its slot.
import type { Metrics } from '../metrics/metrics.ts';
import type { Redis } from '../redis.ts';

const RESERVE = `
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(tat, now)
redis.call('SET', KEYS[1], slot + interval, 'PX', math.ceil(slot + interval - now) + 1000)
return slot - now`;

export class StripeRateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly perSecond: { test: number; live: number },
    private readonly metrics?: Pick<Metrics, 'rateLimitWaits' | 'rateLimitWaitSeconds'>,
  ) {}

  /** Resolves when this call's slot for the account and mode has come. */
  async take(account: string, livemode: boolean): Promise<void> {
    const limit = livemode ? this.perSecond.live : this.perSecond.test;
    if (limit <= 0) return;
    const key = `${this.prefix}:rl:${account}:${livemode ? 'live' : 'test'}`;
    const wait = Number(await this.redis.eval(RESERVE, 1, key, Date.now(), 1000 / limit));
    if (wait <= 0) return;
    this.metrics?.rateLimitWaits.inc();
    this.metrics?.rateLimitWaitSeconds.inc(wait / 1000);
    await new Promise((r) => setTimeout(r, wait));
  }
}
