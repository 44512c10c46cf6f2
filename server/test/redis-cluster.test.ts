// The API and the workers on a Redis Cluster (three masters with a replica each, on loopback):
// with the hash-tagged queue prefix every event is queued and processed; a master killed with
// SIGKILL in the middle of a stream of webhooks fails over to its replica, and every acknowledged
// event is still processed, once.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateTenant } from '../src/connections/lifecycle/activate-tenant.ts';
import { customer, event } from './support/fixtures.ts';
import {
  CONNECT_SECRETS,
  createTestDatabase,
  startStack,
  testConfig,
  type Stack,
} from './support/harness.ts';
import { sendEvent } from './support/http.ts';
import { stripeId } from './support/ids.ts';
import { waitFor } from './support/poll.ts';
import { LocalRedisCluster } from './support/redis-cluster.ts';

let cluster: LocalRedisCluster;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let stack: Stack;
const prefix = `{ddc-${randomBytes(4).toString('hex')}}`;

beforeAll(async () => {
  cluster = await LocalRedisCluster.start();
  database = await createTestDatabase();
  stack = await startStack({
    databaseUrl: database.url,
    env: { REDIS_URL: cluster.url, QUEUE_PREFIX: prefix },
  });
}, 60_000);

afterAll(async () => {
  // Bounded, and the cluster and the database go whatever the stop did: in one full run the
  // stack's stop after the failover did not finish within the hook's 60 s (not reproduced in 8
  // runs since, alone, beside other files or under CPU load). If it happens again this says what
  // was still open.
  const t0 = Date.now();
  try {
    const stopped = await Promise.race([
      stack?.stop().then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), 20_000).unref()),
    ]);
    if (!stopped) {
      console.warn(
        `redis-cluster.test.ts: the stack had not stopped after ${Date.now() - t0} ms; open: ${JSON.stringify(process.getActiveResourcesInfo())}`,
      );
    }
  } finally {
    await cluster?.stop();
    await database?.drop();
  }
});

async function tenants(n: number) {
  const deps = { ...stack.enqueueDeps, prisma: stack.db.prisma, logger: stack.logger };
  return Promise.all(
    Array.from({ length: n }, async () => {
      const account = stripeId('acct');
      const { tenant } = await activateTenant(deps, {
        stripeAccountId: account,
        livemode: false,
        connectionType: 'oauth',
      });
      return { account, tenantId: tenant.id };
    }),
  );
}

const connectUrl = () => `${stack.api.url}/webhooks/stripe/connect`;

/** Customers stored for these accounts, and events of theirs not yet processed. */
async function progress(tenantIds: string[]) {
  const { rows } = await stack.db.pool.query<{ customers: number; open: number }>(
    `SELECT (SELECT count(*)::int FROM customers WHERE tenant_id = ANY($1::uuid[])) AS customers,
            (SELECT count(*)::int FROM raw_events WHERE tenant_id = ANY($1::uuid[])
                AND status <> 'processed') AS open`,
    [tenantIds],
  );
  return rows[0]!;
}

describe('Redis Cluster', () => {
  it('refuses a queue prefix without a hash tag on a cluster', () => {
    expect(() =>
      testConfig({ DATABASE_URL: database.url, REDIS_URL: cluster.url, QUEUE_PREFIX: 'dd' }),
    ).toThrow(/QUEUE_PREFIX: must hold a hash tag/);
  });

  it('queues and processes every event, the queue keys on the master of the tag’s slot', async () => {
    const ts = await tenants(3);
    const sent = ts.flatMap((t) =>
      Array.from({ length: 10 }, () =>
        event('customer.created', customer(), { account: t.account }),
      ),
    );
    for (const e of sent)
      expect((await sendEvent(connectUrl(), e, CONNECT_SECRETS[0]!)).status).toBe(200);
    const ids = ts.map((t) => t.tenantId);
    await waitFor(async () => (await progress(ids)).customers === sent.length, {
      what: 'every customer stored',
    });
    expect((await progress(ids)).open).toBe(0);
    const master = await cluster.masterFor(prefix);
    expect(cluster.nodes.map((n) => n.port)).toContain(master);
  });

  it('fails over when the master holding the queues is killed mid-stream: nothing lost, each once', async () => {
    const ts = await tenants(5);
    const doomed = await cluster.masterFor(prefix);
    const acked = new Set<string>();
    const answers: Record<number, number> = {};
    let killed = false;
    for (let i = 0; i < 300; i++) {
      const t = ts[i % ts.length]!;
      const c = customer();
      const res = await sendEvent(
        connectUrl(),
        event('customer.created', c, { account: t.account }),
        CONNECT_SECRETS[0]!,
      );
      answers[res.status] = (answers[res.status] ?? 0) + 1;
      if (res.status === 200) acked.add(`${t.tenantId}|${c.id}`);
      if (i === 100) {
        await cluster.kill(doomed);
        killed = true;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(killed).toBe(true);
    // Enqueueing happens after the answer: the webhooks kept being answered during the failover.
    expect(answers[200]).toBe(300);
    const ids = ts.map((t) => t.tenantId);
    await waitFor(async () => (await progress(ids)).customers === acked.size, {
      what: 'every acknowledged event processed after the failover',
      timeoutMs: 90_000,
    });
    expect((await progress(ids)).open).toBe(0);
    const { rows } = await stack.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM raw_events WHERE tenant_id = ANY($1::uuid[])`,
      [ids],
    );
    expect(rows[0]!.n).toBe(acked.size); // each stored once
    await waitFor(() => cluster.healthy(), { what: 'the cluster ok again' });
    const promoted = await cluster.masterFor(prefix);
    expect(promoted).not.toBe(doomed);
  }, 120_000);
});
