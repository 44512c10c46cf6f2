// The app's reads on a streaming replica (issue 20), against a real primary and replica
// (support/postgres-replica.ts): GETs are served by the replica; a merchant's own write is
// followed by reads that see it while the replica lags; a replica lagging past the limit, or
// down, is bypassed; the lag is visible in /readyz and /metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateTenant } from '../src/connections/lifecycle/activate-tenant.ts';
import { adminCall } from './support/admin-client.ts';
import { appCall, type AppIdentity } from './support/app-client.ts';
import { ADMIN_TOKEN, APP_SECRETS } from './support/emulator.ts';
import { startStack, type Stack } from './support/harness.ts';
import { stripeId } from './support/ids.ts';
import { waitFor } from './support/poll.ts';
import { LocalPostgresPair } from './support/postgres-replica.ts';

const MAX_LAG_MS = 4000;
let pair: LocalPostgresPair;
let stack: Stack;

beforeAll(async () => {
  pair = await LocalPostgresPair.start();
  stack = await startStack({
    databaseUrl: pair.url('primary'),
    worker: false,
    env: {
      STRIPE_APP_SIGNING_SECRETS: APP_SECRETS.join(','),
      ADMIN_API_TOKENS: ADMIN_TOKEN,
      DATABASE_REPLICA_URL: pair.url('replica'),
      DATABASE_REPLICA_MAX_LAG_MS: String(MAX_LAG_MS),
    },
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  pair?.stop();
});

async function merchant() {
  const account = stripeId('acct');
  const { tenant } = await activateTenant(
    { ...stack.enqueueDeps, prisma: stack.db.prisma, logger: stack.logger },
    { stripeAccountId: account, livemode: false, connectionType: 'oauth' },
  );
  return { id: tenant.id, who: { user: stripeId('usr'), account } as AppIdentity };
}

/** A dispute written on the primary, as processing would (not the merchant's own action). */
async function dispute(tenantId: string) {
  const id = stripeId('du');
  await stack.db.pool.query(
    `INSERT INTO disputes (tenant_id, stripe_id, livemode, charge_id, transaction_id, type, status,
                           stripe_status, reason, network_reason_code, stripe_reason, card_brand, case_type,
                           amount, currency, challenge_required_by, evidence_submissions, stripe_created_at,
                           raw, snapshot_at, snapshot_tiebreak)
     VALUES ($1, $2, false, $3, $3, 'DISPUTE', 'OPEN', 'needs_response', 'FRAUD', '10.4', 'fraudulent',
             'visa', 'chargeback', 2500, 'USD', now() + interval '7 days', 0, now(), '{}', now(), 't')`,
    [tenantId, id, stripeId('ch')],
  );
  return id;
}

async function disputes(who: AppIdentity) {
  const r = await appCall<{ data: Array<{ id: string }> }>(
    stack.api.url,
    'GET',
    '/app/v1/disputes',
    who,
  );
  expect(r.status).toBe(200);
  return { from: r.headers.get('disputedesk-read-from'), ids: r.body.data.map((d) => d.id) };
}

async function replicaState() {
  const res = await fetch(`${stack.api.url}/readyz`);
  const body = (await res.json()) as {
    ready: boolean;
    replica: { ok: boolean; lagSeconds: number | null; lagBytes: number | null };
  };
  return { status: res.status, ...body };
}

async function metric(series: string): Promise<number | null> {
  const res = await fetch(`${stack.api.url}/metrics`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  for (const line of (await res.text()).split('\n'))
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  return null;
}

describe('reads on a streaming replica', () => {
  it('serve GETs from the replica, the merchant’s own writes from the primary until replayed, and bypass a lagging replica', async () => {
    const [a, b] = [await merchant(), await merchant()];
    const firstA = await dispute(a.id);
    const firstB = await dispute(b.id);
    // Replicated within moments, and read there.
    await waitFor(async () => {
      const r = await disputes(a.who);
      return r.from === 'replica' && r.ids.includes(firstA);
    });
    // Caught up moments later: the worker's processing commits do not wait for the WAL flush,
    // and a replica is sent only flushed WAL (up to the WAL writer's delay behind).
    await waitFor(async () => ((await replicaState()).replica.lagBytes ?? -1) === 0, {
      what: 'the replica to catch up',
    });
    expect(await replicaState()).toMatchObject({ status: 200, replica: { ok: true } });

    // Replay paused: writes reach the replica's disk but not its tables.
    await pair.pauseReplay();
    const hiddenA = await dispute(a.id);
    const hiddenB = await dispute(b.id);
    await waitFor(async () => ((await replicaState()).replica.lagBytes ?? 0) > 0, {
      what: 'the lag to show',
    });
    // Within the lag limit, a tenant without writes of its own reads the replica: stale, by design.
    const stale = await disputes(b.who);
    expect(stale).toEqual({ from: 'replica', ids: [firstB] });

    // The merchant's own action, then its reads: they see it (from the primary).
    const saved = await appCall(stack.api.url, 'POST', '/app/v1/settings/evidence', a.who, {
      body: { autoSubmit: true, hoursBefore: 12 },
    });
    expect(saved.status).toBe(200);
    const settings = await appCall<{ autoSubmit: boolean; hoursBefore: number }>(
      stack.api.url,
      'GET',
      '/app/v1/settings/evidence',
      a.who,
    );
    expect(settings.headers.get('disputedesk-read-from')).toBe('primary');
    expect(settings.body).toMatchObject({ autoSubmit: true, hoursBefore: 12 });
    const own = await disputes(a.who);
    expect(own.from).toBe('primary');
    expect(own.ids.sort()).toEqual([firstA, hiddenA].sort());
    // The other tenant is not affected by a's write.
    expect((await disputes(b.who)).from).toBe('replica');

    // Lag is visible, and past the limit the replica is bypassed for everyone.
    expect(await metric('dd_db_replica_lag_bytes{process="api"}')).toBeGreaterThan(0);
    await waitFor(
      async () => ((await replicaState()).replica.lagSeconds ?? 0) * 1000 > MAX_LAG_MS,
      {
        timeoutMs: 20_000,
        what: 'the lag past the limit',
      },
    );
    expect(await metric('dd_db_replica_lag_seconds{process="api"}')).toBeGreaterThan(
      MAX_LAG_MS / 1000,
    );
    const bypassed = await disputes(b.who);
    expect(bypassed.from).toBe('primary');
    expect(bypassed.ids).toContain(hiddenB);

    // Replay resumed: the lag closes and reads go back to the replica, a's included.
    await pair.resumeReplay();
    await waitFor(async () => (await replicaState()).replica.lagBytes === 0, { what: 'no lag' });
    await waitFor(async () => (await disputes(a.who)).from === 'replica', {
      what: "a's reads back on the replica",
    });
    expect((await disputes(b.who)).ids.sort()).toEqual([firstB, hiddenB].sort());
    expect(
      await metric('dd_db_reads_total{target="primary",reason="own_write",process="api"}'),
    ).toBeGreaterThan(0);
  });

  it('serve support staff from the replica, and their own actions from the primary until replayed', async () => {
    const [t, bystander] = [await merchant(), await merchant()];
    const health = (tenantId: string) =>
      adminCall<{ tenant: { status: string } }>(stack.api.url, 'GET', `tenants/${tenantId}`);
    await waitFor(async () => {
      const r = await health(t.id);
      return r.status === 200 && r.headers.get('disputedesk-read-from') === 'replica';
    });
    await pair.pauseReplay();
    try {
      const paused = await adminCall(stack.api.url, 'POST', `tenants/${t.id}/pause`, {
        body: { reason: 'read-replica test' },
      });
      expect(paused.status).toBe(200);
      // The tenant acted on, and anything this token lists next, are read from the primary.
      const after = await health(t.id);
      expect(after.headers.get('disputedesk-read-from')).toBe('primary');
      expect(after.body.tenant.status).toBe('paused');
      const list = await adminCall<{ data: Array<{ id: string; status: string }> }>(
        stack.api.url,
        'GET',
        `tenants?q=${t.who.account}`,
      );
      expect(list.headers.get('disputedesk-read-from')).toBe('primary');
      expect(list.body.data.find((x) => x.id === t.id)?.status).toBe('paused');
      // The merchant acted on sees it too; another merchant's reads stay on the (stale) replica.
      const own = await appCall(stack.api.url, 'GET', '/app/v1/summary', t.who);
      expect(own.headers.get('disputedesk-read-from')).toBe('primary');
      const other = await appCall(stack.api.url, 'GET', '/app/v1/summary', bystander.who);
      expect(other.headers.get('disputedesk-read-from')).toBe('replica');
    } finally {
      await pair.resumeReplay();
    }
    await waitFor(
      async () => (await health(t.id)).headers.get('disputedesk-read-from') === 'replica',
      {
        what: 'support reads back on the replica',
      },
    );
    expect((await health(t.id)).body.tenant.status).toBe('paused');
  });

  it('fall back to the primary when the replica is down; the API stays ready', async () => {
    const m = await merchant();
    const id = await dispute(m.id);
    pair.stopReplica();
    await waitFor(async () => (await replicaState()).replica.ok === false, {
      what: 'the replica marked down',
    });
    const state = await replicaState();
    expect(state).toMatchObject({ status: 200, ready: true });
    expect(await disputes(m.who)).toEqual({ from: 'primary', ids: [id] });
    expect(await metric('dd_db_replica_up{process="api"}')).toBe(0);
  });
});
