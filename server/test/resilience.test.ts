// What happens when things break: Redis stops mid-ingestion, Postgres is unreachable, a
// handler keeps failing, the API is stopped with requests in flight.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateTenant } from '../src/connections/lifecycle/activate-tenant.ts';
import { replayEvent } from '../src/events/replay-event.ts';
import { createDb } from '../src/db.ts';
import { startApi } from '../src/main.ts';
import { customer, dispute, event } from './support/fixtures.ts';
import {
  CONNECT_SECRETS,
  createTestDatabase,
  startStack,
  testConfig,
  testLogger,
  type Stack,
} from './support/harness.ts';
import { sendEvent } from './support/http.ts';
import { signatureHeader } from '../src/webhooks/verify-signature.ts';
import { stripeId } from './support/ids.ts';
import { waitFor } from './support/poll.ts';
import { waitForAdvisoryWaiter } from './support/advisory-locks.ts';
import { freePort, PrivateRedis } from './support/redis-server.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

async function connected(stack: Stack) {
  const account = stripeId('acct');
  const { tenant } = await activateTenant(
    { ...stack.enqueueDeps, prisma: stack.db.prisma, logger: stack.logger },
    { stripeAccountId: account, livemode: false, connectionType: 'oauth' },
  ).catch(() => ({ tenant: null }));
  return { account, tenantId: tenant?.id ?? null };
}

const statuses = async (stack: Stack, tenantId: string) =>
  (
    await stack.db.pool.query<{ status: string }>(
      'SELECT status FROM raw_events WHERE tenant_id = $1',
      [tenantId],
    )
  ).rows.map((r) => r.status);

describe('Redis outage', () => {
  let redis: PrivateRedis;
  let stack: Stack;
  beforeAll(async () => {
    redis = await PrivateRedis.create();
    stack = await startStack({
      databaseUrl: database.url,
      worker: false,
      env: { REDIS_URL: redis.url },
    });
  });
  afterAll(async () => {
    await stack?.stop().catch(() => undefined);
    await redis?.stop();
  });

  it('acknowledges events while Redis is down and processes all of them once it is back', async () => {
    const { account, tenantId } = await connected(stack);
    // Queued before the outage, then lost with Redis (it keeps nothing on disk).
    const before = Array.from({ length: 5 }, () =>
      event('charge.dispute.created', dispute(), { account }),
    );
    for (const e of before)
      expect(
        (await sendEvent(`${stack.api.url}/webhooks/stripe/connect`, e, CONNECT_SECRETS[0]!))
          .status,
      ).toBe(200);
    const waitingIds = async () =>
      (await stack.queues.events.getWaiting()).flatMap(
        (j) => (j.data as { rawEventIds: number[] }).rawEventIds,
      );
    await waitFor(async () => (await waitingIds()).length === 5, {
      what: 'first events waiting in Redis',
    });

    await redis.stop();
    const ready = await fetch(`${stack.api.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: { redis: { ok: boolean } } }).checks.redis.ok).toBe(
      false,
    );

    const during = Array.from({ length: 20 }, () =>
      event('charge.dispute.created', dispute(), { account }),
    );
    const answers = await Promise.all(
      during.map((e) =>
        sendEvent(`${stack.api.url}/webhooks/stripe/connect`, e, CONNECT_SECRETS[0]!),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(during.map(() => 200));
    expect(await statuses(stack, tenantId!)).toHaveLength(25);

    await redis.start();
    await stack.startWorker();
    await waitFor(async () => (await statuses(stack, tenantId!)).every((s) => s === 'processed'), {
      timeoutMs: 20_000,
      what: 'all 25 events processed after Redis returned',
    });
    expect(await stack.db.prisma.dispute.count({ where: { tenantId: tenantId! } })).toBe(25);
  });
});

describe('Postgres unreachable', () => {
  it('answers 503 (so Stripe retries) and /readyz says why', async () => {
    const port = await freePort();
    const config = testConfig({ DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/nowhere` });
    const api = await startApi(config, testLogger());
    try {
      const res = await sendEvent(
        `${api.url}/webhooks/stripe/connect`,
        event('customer.created', customer(), { account: stripeId('acct') }),
        CONNECT_SECRETS[0]!,
      );
      expect(res.status).toBe(503);
      expect(res.body.error?.code).toBe('storage_unavailable');
      const ready = await fetch(`${api.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(
        ((await ready.json()) as { checks: { postgres: { ok: boolean } } }).checks.postgres.ok,
      ).toBe(false);
      expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    } finally {
      await api.stop();
    }
  });

  it('survives the server ending a checked-out connection (a restart mid-transaction), and recovers', async () => {
    const errors: Error[] = [];
    const db = createDb({ url: database.url, poolSize: 2, onError: (e) => errors.push(e) });
    const other = createDb({ url: database.url, poolSize: 1 });
    try {
      await db.pool.query('SELECT 1');
      const client = await db.pool.connect();
      await client.query('BEGIN');
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      // Between two statements of the transaction, the server goes away (as in a restart). The
      // idle checked-out client emits 'error': with no listener, Node would end the process.
      await other.pool.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      await waitFor(() => errors.length > 0, { what: 'the error reported' });
      expect((errors[0] as Error & { code?: string }).code).toBe('57P01');
      await expect(client.query('COMMIT')).rejects.toThrow();
      client.release(true);
      expect((await db.pool.query<{ ok: number }>('SELECT 1 AS ok')).rows[0]!.ok).toBe(1);
    } finally {
      await db.close();
      await other.close();
    }
  });
});

describe('processing failures', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ databaseUrl: database.url });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('retries with backoff, then marks the event failed with its error; a replay runs it again', async () => {
    const { account, tenantId } = await connected(stack);
    // A dispute event no Stripe version sends (an amount that is not a number): storing it fails.
    const broken = dispute();
    const evt = event(
      'charge.dispute.created',
      { ...broken, amount: 'twelve' as unknown as number },
      { account },
    );
    expect(
      (await sendEvent(`${stack.api.url}/webhooks/stripe/connect`, evt, CONNECT_SECRETS[0]!))
        .status,
    ).toBe(200);
    const failed = await waitFor(
      async () => {
        const row = await stack.db.prisma.rawEvent.findFirst({
          where: { tenantId: tenantId!, stripeEventId: evt.id },
        });
        return row?.status === 'failed' ? row : undefined;
      },
      { what: 'event marked failed' },
    );
    expect(failed.attempts).toBe(3);
    expect(failed.lastError).toMatch(/invalid input syntax for type bigint/);

    const replay = await replayEvent(stack.enqueueDeps, Number(failed.id), { tenantId: tenantId! });
    expect(replay.previousStatus).toBe('failed');
    await waitFor(
      async () => {
        const row = await stack.db.prisma.rawEvent.findFirst({ where: { id: failed.id } });
        return row?.status === 'failed' && row.attempts === 6;
      },
      { what: 'replayed event retried and failed again' },
    );
  });

  it("refuses to replay another tenant's event", async () => {
    const a = await connected(stack);
    const b = await connected(stack);
    const evt = event('customer.created', customer(), { account: a.account });
    await sendEvent(`${stack.api.url}/webhooks/stripe/connect`, evt, CONNECT_SECRETS[0]!);
    const row = await waitFor(() =>
      stack.db.prisma.rawEvent.findFirst({
        where: { tenantId: a.tenantId!, stripeEventId: evt.id },
      }),
    );
    await expect(
      replayEvent(stack.enqueueDeps, Number(row.id), { tenantId: b.tenantId! }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('graceful shutdown', () => {
  it('waits for in-flight requests to commit before the API stops; every request answered 200 is stored', async () => {
    const stack = await startStack({ databaseUrl: database.url, worker: false });
    const { account, tenantId } = await connected(stack);
    // Hold the tenant row so every insert of this tenant's events waits on a lock.
    const blocker = await stack.db.pool.connect();
    await blocker.query('BEGIN');
    await blocker.query('SELECT 1 FROM tenants WHERE id = $1 FOR UPDATE', [tenantId]);
    const events = Array.from({ length: 50 }, () =>
      event('customer.created', customer(), { account }),
    );
    const inFlight = events.map((e) =>
      sendEvent(`${stack.api.url}/webhooks/stripe/connect`, e, CONNECT_SECRETS[0]!).catch(() => ({
        status: 0,
        body: {},
      })),
    );
    // Every connection of the API's pool is waiting on the lock: requests are mid-commit.
    await waitFor(
      async () => {
        const { rows } = await stack.db.pool.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
        );
        return rows[0]!.n >= stack.config.database.poolSize - 1;
      },
      { what: 'requests waiting on the lock' },
    );

    let stopped = false;
    const stopping = stack.api.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(stopped).toBe(false); // still waiting for the commits
    await blocker.query('COMMIT');
    blocker.release();
    const answers = await Promise.all(inFlight);
    await stopping;
    // Requests already being handled finish with 200. A request still on the wire when the
    // server stopped listening gets no answer (status 0) and is retried by Stripe; none gets
    // an error status, and every 200 is stored.
    const accepted = answers.filter((a) => a.status === 200).length;
    expect(accepted).toBeGreaterThanOrEqual(stack.config.database.poolSize - 1);
    expect(answers.every((a) => a.status === 200 || a.status === 0)).toBe(true);
    const { rows } = await stack.db.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM raw_events WHERE tenant_id = $1',
      [tenantId],
    );
    expect(rows[0]!.n).toBe(accepted);
    await stack.db.close();
    await stack.queues.close();
  });
});

describe('worker shutdown', () => {
  // A database of its own: the events earlier tests left unprocessed would otherwise be swept
  // into this worker's queue beside the one this test watches. Made before the test (in a busy
  // full run it takes most of 30 s), so the test's own time is the behaviour's.
  let own: Awaited<ReturnType<typeof createTestDatabase>>;
  let stack: Stack;
  beforeAll(async () => {
    own = await createTestDatabase();
    stack = await startStack({ databaseUrl: own.url });
  });
  afterAll(async () => {
    await stack?.stop();
    await own?.drop();
  });

  it('finishes the job it is running before it stops', async () => {
    const { account, tenantId } = await connected(stack);
    expect(tenantId).not.toBeNull();
    const d = dispute();
    // Hold the payment's lock in another session: processing the dispute will wait on it.
    const blocker = await stack.db.pool.connect();
    let held = true;
    const release = async () => {
      if (!held) return;
      held = false;
      await blocker.query('SELECT pg_advisory_unlock_all()');
      blocker.release();
    };
    try {
      await blocker.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [
        `${tenantId}:${d.charge as string}`,
      ]);
      const evt = event('charge.dispute.created', d, { account });
      expect(
        (await sendEvent(`${stack.api.url}/webhooks/stripe/connect`, evt, CONNECT_SECRETS[0]!))
          .status,
      ).toBe(200);
      // A waiter on this very key: any advisory wait would do for the tenant's history import or
      // the maintenance pass too, and the event's job, not yet active, would not hold the stop
      // (a fresh clone, 2026-12-03: stopped within 300 ms).
      await waitForAdvisoryWaiter(
        stack.db.pool,
        [`${tenantId}:${d.charge as string}`],
        'the job to wait on the lock',
      );

      let stopped = false;
      const stopping = stack.stopWorker().then(() => (stopped = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(stopped).toBe(false);
      await release();
      // Bounded, and saying what the database was doing if the worker does not stop.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          stack.db.pool
            .query(
              `SELECT state, wait_event_type, wait_event, left(query, 120) AS query
                 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
            )
            .then(
              ({ rows }) =>
                reject(new Error(`the worker did not stop within 15 s: ${JSON.stringify(rows)}`)),
              (err: unknown) => reject(err as Error),
            );
        }, 15_000);
      });
      await Promise.race([stopping, late]).finally(() => clearTimeout(timer));
      const row = await stack.db.prisma.rawEvent.findFirst({
        where: { tenantId: tenantId!, stripeEventId: evt.id },
      });
      expect(row?.status).toBe('processed');
    } finally {
      // Failed before the release, the worker would wait on the lock for good, and so would
      // stopping the stack: the failure would show as a timeout instead of itself.
      await release();
    }
    // Room for its two bounded waits (15 s each) to fail with their own messages.
  }, 45_000);
});

describe('API as several processes', () => {
  it('serves from two processes on one port and stops cleanly on SIGTERM', async () => {
    const { spawn } = await import('node:child_process');
    const port = await freePort();
    const config = testConfig({ DATABASE_URL: database.url });
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: new URL('..', import.meta.url).pathname,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        // eslint-disable-next-line no-restricted-syntax -- the child needs PATH and the like
        ...process.env,
        LOG_LEVEL: 'info',
        PORT: String(port),
        API_PROCESSES: '2',
        DATABASE_URL: database.url,
        REDIS_URL: config.redis.url,
        QUEUE_PREFIX: config.redis.prefix,
        STRIPE_CONNECT_WEBHOOK_SECRETS: CONNECT_SECRETS.join(','),
        ENCRYPTION_KEYS: [...config.encryption.keys]
          .map(([id, k]) => `${id}:${k.toString('base64')}`)
          .join(','),
        ENCRYPTION_PRIMARY_KEY_ID: config.encryption.primaryKeyId,
        ADMIN_API_TOKENS: 'metrics-token-for-the-cluster-test-0123',
      },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    try {
      await waitFor(() => (output.match(/api listening/g) ?? []).length === 2, {
        what: 'two API processes listening',
      });
      const url = `http://127.0.0.1:${port}`;
      const res = await sendEvent(
        `${url}/webhooks/stripe/connect`,
        event('customer.created', customer(), { account: stripeId('acct') }),
        CONNECT_SECRETS[0]!,
      );
      expect(res.status).toBe(200);
      // Five more over new connections, so both processes take some; every scrape, whichever
      // process answers it, counts all six (the primary sums the processes' registries).
      for (let i = 0; i < 5; i++) {
        const body = JSON.stringify(
          event('customer.created', customer(), { account: stripeId('acct') }),
        );
        const r = await fetch(`${url}/webhooks/stripe/connect`, {
          method: 'POST',
          body,
          headers: {
            connection: 'close',
            'content-type': 'application/json',
            'stripe-signature': signatureHeader(CONNECT_SECRETS[0]!, body),
          },
        });
        expect(r.status).toBe(200);
      }
      for (let i = 0; i < 4; i++) {
        const scraped = await fetch(`${url}/metrics`, {
          headers: {
            connection: 'close',
            authorization: 'Bearer metrics-token-for-the-cluster-test-0123',
          },
        });
        expect(scraped.status).toBe(200);
        const accepted = (await scraped.text())
          .split('\n')
          .filter((l) => l.startsWith('dd_webhook_accepted_total{'))
          .reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
        expect(accepted).toBe(6);
      }
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect((output.match(/shutdown complete/g) ?? []).length).toBe(2);
  });
});
