// Load: 50 tenants, a sustained rate of dispute events for a bounded time, 10 % duplicates, order
// shuffled; every tenant notifies a receiver. Every acknowledged event must be processed exactly
// once: stored once, each dispute once in its newest state, each status once in its timeline,
// each notification delivered once. The rate is above what one worker processes on two shared
// cores: the acknowledged backlog must drain after the load, nothing dropped.
// It runs as a deployment past one process would: two API processes on one port (API_PROCESSES)
// and a pool of worker processes per queue (WORKER_QUEUES) — two for events, one for
// notifications, one for the rest.
import pg from 'pg';
import { countingReceiver, disputeEvents, drive, verify } from '../driver.ts';
import { apiAndWorker, freePort, until } from '../processes.ts';
import {
  accountsNamed,
  activeTenants,
  connectSecret,
  freshDatabase,
  ready,
  sharedRedisUrl,
  type ScenarioResult,
} from '../setup.ts';

export async function loadScenario(short: boolean): Promise<ScenarioResult> {
  const rate = short ? 150 : 400;
  const seconds = short ? 10 : 60;
  const db = await freshDatabase();
  const accounts = accountsNamed(50, `l${Date.now().toString(36)}`);
  const tenants = await activeTenants(db.url, accounts);
  const secret = connectSecret();
  const stack = apiAndWorker({
    databaseUrl: db.url,
    redisUrl: sharedRedisUrl,
    apiPort: await freePort(),
    connectSecret: secret,
    extraEnv: { API_PROCESSES: '2' },
  });
  // Two events processes share the four concurrent jobs that suit two cores (docs/BENCHMARKS.md).
  const pools = [
    stack.workerWith('worker-events-a', {
      WORKER_QUEUES: 'events',
      EVENTS_WORKER_CONCURRENCY: '2',
    }),
    stack.workerWith('worker-events-b', {
      WORKER_QUEUES: 'events',
      EVENTS_WORKER_CONCURRENCY: '2',
    }),
    stack.workerWith('worker-notifications', { WORKER_QUEUES: 'notifications' }),
    stack.workerWith('worker-rest', { WORKER_QUEUES: 'backfill,reports,maintenance' }),
  ];
  const receiver = await countingReceiver();
  try {
    stack.api.start();
    for (const p of pools) p.start();
    await ready(stack.url);
    for (const t of tenants) {
      const res = await fetch(`${stack.url}/admin/v1/tenants/${t.id}/notification-destinations`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${stack.adminToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ url: receiver.url }),
      });
      if (res.status !== 201) throw new Error(`destination: ${res.status} ${await res.text()}`);
    }
    const events = disputeEvents(accounts, Math.ceil((rate * seconds) / 2) + 50);
    const run = await drive({ url: stack.url, secret, events, ratePerSecond: rate, seconds });
    // The API takes events faster than one worker processes them (see docs/SCALING.md): the
    // backlog left when sending stops must drain, within a bound that grows with its size.
    const check = await verify(db.url, events, run.acked, Math.max(120_000, run.acked.size * 10));
    const processing = run.acked.size / (run.seconds + check.drainSeconds);
    // Notifications: every one delivered, none twice.
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      await until(
        'notifications delivered',
        async () =>
          (
            await c.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM notifications WHERE status <> 'delivered'`,
            )
          ).rows[0]!.n === 0,
        120_000,
      );
      const { rows } = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM notifications');
      const delivered = [...receiver.deliveries.values()];
      const twice = delivered.filter((n) => n > 1).length;
      if (twice) check.problems.push(`${twice} notifications delivered more than once`);
      if (receiver.deliveries.size !== rows[0]!.n)
        check.problems.push(
          `receiver got ${receiver.deliveries.size} notifications, ${rows[0]!.n} recorded`,
        );
      return {
        name: 'load',
        problems: [
          ...check.problems,
          ...(run.acked.size === 0 ? ['nothing was acknowledged'] : []),
        ],
        figures: {
          tenants: accounts.length,
          'events sent': run.sent,
          'duplicates sent': run.duplicatesSent,
          'acknowledged (unique)': run.acked.size,
          answers: JSON.stringify(run.statuses),
          'rate asked': `${rate}/s for ${seconds} s`,
          throughput: `${((run.sent - (run.statuses.error ?? 0)) / run.seconds).toFixed(0)} answers/s`,
          'p50 / p99': `${run.p50.toFixed(1)} / ${run.p99.toFixed(1)} ms`,
          'disputes stored': check.disputes,
          'notifications delivered': receiver.deliveries.size,
          'drained after load': `${check.drainSeconds.toFixed(1)} s`,
          'processed (send start → last processed)': `${processing.toFixed(0)} events/s`,
          processes: 'API ×2 (one port), workers: events ×2, notifications ×1, the rest ×1',
        },
      };
    } finally {
      await c.end();
    }
  } finally {
    await stack.api.stop();
    for (const p of pools) await p.stop();
    await receiver.close();
    await db.drop();
  }
}
