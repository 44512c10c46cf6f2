// Load as Stripe would bring it: each dispute's `created` (needs_response) and `updated`
// (under_review, a minute later) events, in shuffled order across 50 tenants, with 10 % of sends
// repeating an event already sent (Stripe's at-least-once delivery). Sent at a fixed rate, bounded
// in count and time; every answer recorded. Then the checks: every acknowledged event stored and
// processed, each dispute once with the newest state, each status in its timeline once.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { Pool } from 'undici';
import { signatureHeader } from '../../../server/src/webhooks/verify-signature.ts';
import { dispute, event } from '../../../server/test/support/fixtures.ts';
import { sleep, until } from './processes.ts';

export interface PlannedEvent {
  id: string;
  body: string;
  disputeId: string;
  stripeStatus: 'needs_response' | 'under_review';
}

export function disputeEvents(accounts: string[], disputes: number): PlannedEvent[] {
  const now = Math.floor(Date.now() / 1000);
  const out: PlannedEvent[] = [];
  for (let i = 0; i < disputes; i++) {
    const account = accounts[i % accounts.length]!;
    const created = now - 3600 - (i % 600);
    const base = dispute({ created, networkReasonCode: '10.4' });
    const review = {
      ...dispute({ created, status: 'under_review', submissionCount: 1 }),
      id: base.id,
      charge: base.charge,
      payment_intent: base.payment_intent,
    };
    for (const [type, object, at] of [
      ['charge.dispute.created', base, created],
      ['charge.dispute.updated', review, created + 60],
    ] as const) {
      const e = event(type, object, { account, created: at });
      out.push({
        id: e.id,
        body: JSON.stringify(e),
        disputeId: base.id,
        stripeStatus: object.status as PlannedEvent['stripeStatus'],
      });
    }
  }
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export interface DriveResult {
  sent: number;
  duplicatesSent: number;
  acked: Set<string>;
  statuses: Record<string, number>;
  p50: number;
  p99: number;
  seconds: number;
  /** Answers per second of the run, by status ('200', '503', 'error'). */
  timeline: Array<Record<string, number>>;
}

export async function drive(opts: {
  url: string;
  secret: string;
  events: PlannedEvent[];
  ratePerSecond: number;
  seconds: number;
  duplicateShare?: number;
  onSecond?: (second: number) => Promise<void> | void;
}): Promise<DriveResult> {
  const pool = new Pool(opts.url, { connections: 64 });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const timeline: Array<Record<string, number>> = [];
  const acked = new Set<string>();
  const sentEvents: PlannedEvent[] = [];
  let next = 0;
  let duplicatesSent = 0;
  let sent = 0;
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  const deadline = started + opts.seconds * 1000;
  let second = -1;

  const send = async (e: PlannedEvent) => {
    sent++;
    const t0 = performance.now();
    const bucket = (timeline[Math.floor((t0 - started) / 1000)] ??= {});
    let key = 'error';
    try {
      const res = await pool.request({
        method: 'POST',
        path: '/webhooks/stripe/connect',
        body: e.body,
        headers: {
          'content-type': 'application/json',
          'stripe-signature': signatureHeader(opts.secret, e.body),
        },
        headersTimeout: 15_000,
        bodyTimeout: 15_000,
      });
      await res.body.dump();
      key = String(res.statusCode);
      if (res.statusCode === 200) acked.add(e.id);
    } catch {
      key = 'error';
    }
    latencies.push(performance.now() - t0);
    statuses[key] = (statuses[key] ?? 0) + 1;
    bucket[key] = (bucket[key] ?? 0) + 1;
  };

  let due = started;
  while (performance.now() < deadline) {
    const s = Math.floor((performance.now() - started) / 1000);
    if (s !== second) {
      second = s;
      await opts.onSecond?.(s);
    }
    const now = performance.now();
    if (now < due) {
      await sleep(Math.min(5, due - now));
      continue;
    }
    due += 1000 / opts.ratePerSecond;
    const duplicate = sentEvents.length > 0 && Math.random() < (opts.duplicateShare ?? 0.1);
    const e = duplicate
      ? sentEvents[Math.floor(Math.random() * sentEvents.length)]!
      : opts.events[next++];
    if (!e) break; // the plan is used up
    if (duplicate) duplicatesSent++;
    else sentEvents.push(e);
    const p = send(e).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  await pool.close();
  const sorted = latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  return {
    sent,
    duplicatesSent,
    acked,
    statuses,
    p50: pct(50),
    p99: pct(99),
    seconds: (performance.now() - started) / 1000,
    timeline,
  };
}

/**
 * After the run: waits until nothing is left to process, then checks every acknowledged event is
 * stored and processed, each dispute stored once with the newest acknowledged state, and each
 * acknowledged status once in its timeline. Returns the problems found (none: nothing lost).
 */
export async function verify(
  databaseUrl: string,
  events: PlannedEvent[],
  acked: Set<string>,
  ms = 120_000,
) {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const problems: string[] = [];
  try {
    const started = Date.now();
    await until(
      'every stored event processed',
      async () =>
        (
          await db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM raw_events WHERE status IN ('received', 'deferred')`,
          )
        ).rows[0]!.n === 0,
      ms,
    );
    const drainSeconds = (Date.now() - started) / 1000;
    const ids = [...acked];
    const { rows: stored } = await db.query<{ stripe_event_id: string; status: string }>(
      'SELECT stripe_event_id, status FROM raw_events WHERE stripe_event_id = ANY($1)',
      [ids],
    );
    if (stored.length !== ids.length)
      problems.push(`${ids.length - stored.length} acknowledged events are not stored`);
    const unprocessed = stored.filter((r) => r.status !== 'processed');
    if (unprocessed.length)
      problems.push(
        `${unprocessed.length} stored events are not processed (${unprocessed[0]!.status})`,
      );

    const byDispute = new Map<string, Set<string>>();
    for (const e of events)
      if (acked.has(e.id))
        (byDispute.get(e.disputeId) ?? byDispute.set(e.disputeId, new Set()).get(e.disputeId)!).add(
          e.stripeStatus,
        );
    const { rows: disputes } = await db.query<{
      stripe_id: string;
      stripe_status: string;
      n: number;
    }>(
      `SELECT stripe_id, stripe_status, count(*) OVER (PARTITION BY stripe_id)::int AS n FROM disputes WHERE stripe_id = ANY($1)`,
      [[...byDispute.keys()]],
    );
    if (disputes.length !== byDispute.size)
      problems.push(
        `${byDispute.size - disputes.length} disputes with acknowledged events are missing`,
      );
    const wrong = disputes.filter((d) =>
      byDispute.get(d.stripe_id)!.has('under_review')
        ? d.stripe_status !== 'under_review'
        : d.stripe_status !== 'needs_response',
    );
    if (wrong.length)
      problems.push(`${wrong.length} disputes do not hold their newest acknowledged state`);
    const { rows: steps } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM dispute_timeline WHERE dispute_id = ANY($1)',
      [[...byDispute.keys()]],
    );
    const expectedSteps = [...byDispute.values()].reduce((a, s) => a + s.size, 0);
    if (steps[0]!.n !== expectedSteps)
      problems.push(`timeline rows ${steps[0]!.n}, expected ${expectedSteps}`);
    return { problems, stored: stored.length, disputes: disputes.length, drainSeconds };
  } finally {
    await db.end();
  }
}

/** A merchant's receiver counting DISPUTE.STATUS deliveries per notification id. */
export async function countingReceiver() {
  const deliveries = new Map<string, number>();
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const id = String((JSON.parse(raw) as { id: string }).id);
      deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    deliveries,
    close: () => new Promise((r) => server.close(r)),
  };
}
