// A bounded load generator over loopback: signed Stripe events, closed-loop at a concurrency or
// open-loop at a fixed rate, recording latency and which event ids were acknowledged.
import { Pool } from 'undici';
import { signatureHeader } from '../src/webhooks/verify-signature.ts';
import { percentile } from './support.ts';

export interface LoadResult {
  sent: number;
  acked: number;
  errors: Record<string, number>;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  ackedIds: string[];
}

export interface LoadOptions {
  origin: string;
  path: string;
  secret: string;
  makeEvent: () => { id: string; body: string };
  durationMs: number;
  maxRequests: number;
  /** Closed loop: this many requests in flight at all times. */
  concurrency?: number;
  /** Open loop: this many requests started per second (latency includes queueing). */
  ratePerSecond?: number;
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const pool = new Pool(opts.origin, {
    connections: Math.max(opts.concurrency ?? 64, 8),
    pipelining: 1,
  });
  const latencies: number[] = [];
  const ackedIds: string[] = [];
  const errors: Record<string, number> = {};
  let sent = 0;
  const start = performance.now();
  const deadline = start + opts.durationMs;

  const one = async () => {
    const { id, body } = opts.makeEvent();
    sent++;
    const t0 = performance.now();
    try {
      const res = await pool.request({
        method: 'POST',
        path: opts.path,
        body,
        headers: {
          'content-type': 'application/json',
          'stripe-signature': signatureHeader(opts.secret, body),
        },
      });
      await res.body.dump();
      latencies.push(performance.now() - t0);
      if (res.statusCode === 200) ackedIds.push(id);
      else errors[String(res.statusCode)] = (errors[String(res.statusCode)] ?? 0) + 1;
    } catch (err) {
      const key = (err as { code?: string }).code ?? 'error';
      errors[key] = (errors[key] ?? 0) + 1;
    }
  };

  if (opts.concurrency) {
    const loop = async () => {
      while (performance.now() < deadline && sent < opts.maxRequests) await one();
    };
    await Promise.all(Array.from({ length: opts.concurrency }, loop));
  } else {
    const rate = opts.ratePerSecond ?? 100;
    const inFlight = new Set<Promise<void>>();
    let next = start;
    while (performance.now() < deadline && sent < opts.maxRequests) {
      const now = performance.now();
      if (now < next) {
        await new Promise((r) => setTimeout(r, Math.max(0, next - now)));
        continue;
      }
      next += 1000 / rate;
      const p = one().finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
  }
  const seconds = (performance.now() - start) / 1000;
  await pool.close();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    sent,
    acked: ackedIds.length,
    errors,
    seconds,
    perSecond: ackedIds.length / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? 0,
    ackedIds,
  };
}
