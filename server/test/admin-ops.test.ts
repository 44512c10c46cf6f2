// What support staff do through the admin API, against real Postgres, Redis, workers and the
// emulator: find tenants and read their health; view an event with its secrets redacted; replay
// one event or a filtered set (dry run first) with no duplicate effect; cancel a backfill; re-run
// reports; disconnect and purge; read queue counts.
import { describe, expect, it } from 'vitest';
import {
  EventDetail,
  EventList,
  QueueCounts,
  ReplayMany,
  ReportRerun,
  ReportRunList,
  TenantHealth,
  TenantList,
} from '../src/admin/contract.ts';
import { activateTenant } from '../src/connections/lifecycle/activate-tenant.ts';
import { adminCall } from './support/admin-client.ts';
import { restrictedKeyMerchant } from './support/emulator.ts';
import { charge, dispute, event, paymentIntent } from './support/fixtures.ts';
import { CONNECT_SECRETS, useEmulatedStack } from './support/harness.ts';
import { sendEvent } from './support/http.ts';
import { nowSeconds, stripeId } from './support/ids.ts';
import { waitFor } from './support/poll.ts';

const { emu, env } = useEmulatedStack({
  STRIPE_RATE_LIMIT_TEST: '0',
  NOTIFICATION_ALLOW_PRIVATE_ADDRESSES: 'true',
});
const api = () => env.stack.api.url;
const pool = () => env.stack.db.pool;

async function oauthTenant(name?: string) {
  const account = stripeId('acct');
  const { tenant } = await activateTenant(
    { ...env.stack.enqueueDeps, prisma: env.stack.db.prisma, logger: env.stack.logger },
    {
      stripeAccountId: account,
      livemode: false,
      connectionType: 'oauth',
      displayName: name ?? null,
    },
  );
  return { account, tenantId: tenant.id };
}

async function deliver(account: string, events: ReturnType<typeof event>[]) {
  for (const e of events) {
    const res = await sendEvent(`${api()}/webhooks/stripe/connect`, e, CONNECT_SECRETS[0]!);
    expect(res.status).toBe(200);
  }
}

const settled = (tenantId: string) =>
  waitFor(
    async () => {
      const { rows } = await pool().query<{ n: number }>(
        `SELECT count(*)::int AS n FROM raw_events WHERE tenant_id = $1 AND status NOT IN ('processed', 'ignored', 'failed')`,
        [tenantId],
      );
      return rows[0]!.n === 0;
    },
    { what: 'events processed' },
  );

/** Everything processing derives from a tenant's events. */
async function derived(tenantId: string) {
  const q = async (sql: string) =>
    (await pool().query<Record<string, unknown>>(sql, [tenantId])).rows;
  return {
    disputes: await q('SELECT * FROM disputes WHERE tenant_id = $1 ORDER BY stripe_id'),
    timeline: await q(
      'SELECT * FROM dispute_timeline WHERE tenant_id = $1 ORDER BY dispute_id, stripe_status',
    ),
    charges: await q('SELECT * FROM charges WHERE tenant_id = $1 ORDER BY stripe_id'),
    notifications: await q(
      'SELECT dispute_id, payload->>$$status$$ AS status FROM notifications WHERE tenant_id = $1 ORDER BY id',
    ),
  };
}

describe('tenants', () => {
  it('are found by account id, name and status, page by page', async () => {
    const a = await oauthTenant('Acme Rockets');
    const b = await oauthTenant('Acme Anvils');
    await pool().query(`UPDATE tenants SET status = 'paused' WHERE id = $1`, [b.tenantId]);
    const byAccount = TenantList.parse(
      (await adminCall(api(), 'GET', `tenants?q=${a.account.slice(0, 14)}`)).body,
    );
    expect(byAccount.data.map((t) => t.id)).toContain(a.tenantId);
    const byName = TenantList.parse((await adminCall(api(), 'GET', 'tenants?q=acme%20an')).body);
    expect(byName.data.map((t) => t.id)).toEqual([b.tenantId]);
    const paused = TenantList.parse((await adminCall(api(), 'GET', 'tenants?status=paused')).body);
    expect(paused.data.map((t) => t.id)).toContain(b.tenantId);
    const first = TenantList.parse((await adminCall(api(), 'GET', 'tenants?q=Acme&limit=1')).body);
    const second = TenantList.parse(
      (await adminCall(api(), 'GET', `tenants?q=Acme&limit=1&cursor=${first.next_cursor}`)).body,
    );
    expect([...first.data, ...second.data].map((t) => t.id).sort()).toEqual(
      [a.tenantId, b.tenantId].sort(),
    );
    expect(second.next_cursor).toBeNull();
  });

  it('show their health: events by type, failures, signature failures, queue lag, backfill, reports', async () => {
    const t = await oauthTenant();
    const d = dispute();
    await deliver(t.account, [
      event('charge.dispute.created', d, { account: t.account }),
      event('charge.succeeded', charge(), { account: t.account }),
      event('charge.succeeded', charge(), { account: t.account }),
    ]);
    await settled(t.tenantId);
    await pool().query(
      `UPDATE raw_events SET status = 'failed', last_error = 'boom' WHERE id = (SELECT min(id) FROM raw_events WHERE tenant_id = $1)`,
      [t.tenantId],
    );
    // A paused tenant's new events wait: that is queue lag.
    await pool().query(`UPDATE tenants SET status = 'paused' WHERE id = $1`, [t.tenantId]);
    await deliver(t.account, [
      event(
        'customer.created',
        { id: stripeId('cus'), object: 'customer' },
        { account: t.account },
      ),
    ]);
    await sendEvent(
      `${api()}/webhooks/stripe/connect`,
      event('charge.succeeded', charge(), { account: t.account }),
      'whsec_wrong_0000000000',
    );
    const health = await waitFor(
      async () => {
        const h = TenantHealth.parse((await adminCall(api(), 'GET', `tenants/${t.tenantId}`)).body);
        return h.events.signatureFailures24h === 1 && h.queueLag.unprocessed === 1 ? h : null;
      },
      { what: 'health figures' },
    );
    expect(health.tenant).toMatchObject({ id: t.tenantId, accountId: t.account, status: 'paused' });
    expect(health.events.byType24h).toMatchObject({
      'charge.succeeded': 2,
      'charge.dispute.created': 1,
      'customer.created': 1,
    });
    expect(health.events.failed).toBe(1);
    expect(health.events.last?.type).toBe('customer.created');
    expect(health.queueLag.oldestAgeSeconds).toBeGreaterThanOrEqual(0);
    expect((await adminCall(api(), 'GET', `tenants/${crypto.randomUUID()}`)).status).toBe(404);
  });

  it('are disconnected, then purged only when disconnected and confirmed', async () => {
    const t = await oauthTenant();
    await deliver(t.account, [event('charge.dispute.created', dispute(), { account: t.account })]);
    await settled(t.tenantId);
    const early = await adminCall(api(), 'POST', `tenants/${t.tenantId}/purge`, {
      body: { confirm: t.tenantId },
    });
    expect(early.status).toBe(409);
    const off = await adminCall(api(), 'POST', `tenants/${t.tenantId}/disconnect`, {
      body: { reason: 'merchant asked' },
    });
    expect(off).toMatchObject({ status: 200, body: { status: 'disconnected' } });
    const wrong = await adminCall(api(), 'POST', `tenants/${t.tenantId}/purge`, {
      body: { confirm: crypto.randomUUID() },
    });
    expect(wrong.status).toBe(400);
    const purged = await adminCall(api(), 'POST', `tenants/${t.tenantId}/purge`, {
      body: { confirm: t.tenantId },
    });
    expect(purged).toMatchObject({ status: 200, body: { status: 'purged' } });
    expect((purged.body as { rowsDeleted: number }).rowsDeleted).toBeGreaterThan(0);
    const left = await derived(t.tenantId);
    expect(left.disputes).toEqual([]);
    const { rows } = await pool().query(
      'SELECT count(*)::int AS n FROM raw_events WHERE tenant_id = $1',
      [t.tenantId],
    );
    expect(rows[0]).toEqual({ n: 0 });
    // The analytics aggregates go too, none left with the deleted rows' negative contributions.
    const agg = await pool().query(
      `SELECT (SELECT count(*) FROM agg_dispute_days WHERE tenant_id = $1)::int AS disputes,
              (SELECT count(*) FROM agg_sales_months WHERE tenant_id = $1)::int AS sales,
              (SELECT count(*) FROM agg_ledger_days WHERE tenant_id = $1)::int AS ledger`,
      [t.tenantId],
    );
    expect(agg.rows[0]).toEqual({ disputes: 0, sales: 0, ledger: 0 });
  });
});

describe('events', () => {
  it('are searched by tenant, type prefix and status, and shown with secrets redacted', async () => {
    const t = await oauthTenant();
    const pi = paymentIntent({ client_secret: 'pi_123_secret_abcdefghijkl' });
    const e = event('payment_intent.succeeded', pi, { account: t.account });
    await deliver(t.account, [
      e,
      event('charge.dispute.created', dispute(), { account: t.account }),
    ]);
    await settled(t.tenantId);
    const disputes = EventList.parse(
      (await adminCall(api(), 'GET', `events?tenant_id=${t.tenantId}&type=charge.dispute.*`)).body,
    );
    expect(disputes.data.map((x) => x.type)).toEqual(['charge.dispute.created']);
    const found = EventList.parse(
      (
        await adminCall(
          api(),
          'GET',
          `events?tenant_id=${t.tenantId}&type=payment_intent.succeeded&status=processed`,
        )
      ).body,
    ).data[0]!;
    expect(found.stripeEventId).toBe(e.id);
    const full = await adminCall(api(), 'GET', `events/${found.id}`);
    const detail = EventDetail.parse(full.body);
    expect(JSON.stringify(full.body)).not.toContain('pi_123_secret_abcdefghijkl');
    // Client secrets are not even stored (stripped at ingest), in the event or the normalized row.
    const stored = (detail.payload as { data: { object: Record<string, unknown> } }).data.object;
    expect(stored.id).toBe(pi.id);
    expect(stored).not.toHaveProperty('client_secret');
    const { rows } = await pool().query<{ raw: string }>(
      'SELECT raw::text AS raw FROM payment_intents WHERE tenant_id = $1 AND stripe_id = $2',
      [t.tenantId, pi.id],
    );
    expect(rows[0]!.raw).not.toContain('client_secret');
  });

  it('replay, one or a filtered set (counted first by a dry run), with no duplicate effect', async () => {
    const t = await oauthTenant();
    const url = `http://127.0.0.1:9/replay-hook`; // nothing listens: notifications stay pending
    expect(
      (
        await adminCall(api(), 'POST', `tenants/${t.tenantId}/notification-destinations`, {
          body: { url },
        })
      ).status,
    ).toBe(201);
    const c = charge({ metadata: { order_id: 'ORD-9' } });
    const base = dispute({ charge: c.id, created: nowSeconds() - 7200 });
    const review = {
      ...dispute({
        charge: c.id,
        status: 'under_review',
        submissionCount: 1,
        created: base.created,
      }),
      id: base.id,
    };
    await deliver(t.account, [
      event('charge.succeeded', c, { account: t.account }),
      event('charge.dispute.created', base, { account: t.account, created: base.created }),
      event('charge.dispute.updated', review, { account: t.account, created: base.created + 600 }),
    ]);
    await settled(t.tenantId);
    const before = await derived(t.tenantId);
    expect(before.timeline).toHaveLength(2);
    // OPEN is notified only if it was processed before the update (events arrive in any order).
    expect(before.notifications.at(-1)).toMatchObject({ status: 'CHALLENGED' });

    const created = EventList.parse(
      (await adminCall(api(), 'GET', `events?tenant_id=${t.tenantId}&type=charge.dispute.created`))
        .body,
    ).data[0]!;
    const one = await adminCall(api(), 'POST', `events/${created.id}/replay`);
    expect(one).toMatchObject({ status: 200, body: { previousStatus: 'processed' } });
    await settled(t.tenantId);
    expect(await derived(t.tenantId)).toEqual(before);

    const dry = ReplayMany.parse(
      (await adminCall(api(), 'POST', 'events/replay', { body: { tenant_id: t.tenantId } })).body,
    );
    expect(dry).toEqual({ dryRun: true, matched: 3, replayed: 0 });
    expect((await adminCall(api(), 'POST', 'events/replay', { body: {} })).status).toBe(400);
    const real = ReplayMany.parse(
      (
        await adminCall(api(), 'POST', 'events/replay', {
          body: { tenant_id: t.tenantId, dry_run: false },
        })
      ).body,
    );
    expect(real).toEqual({ dryRun: false, matched: 3, replayed: 3 });
    await settled(t.tenantId);
    expect(await derived(t.tenantId)).toEqual(before);
  });
});

describe('history and reports', () => {
  it('cancels a running backfill once', async () => {
    const t = await oauthTenant();
    await pool().query(
      `INSERT INTO backfill_runs (id, tenant_id, reason, status) VALUES (gen_random_uuid(), $1, 'manual', 'running')`,
      [t.tenantId],
    );
    const cancel = await adminCall(api(), 'POST', `tenants/${t.tenantId}/backfill/cancel`);
    expect(cancel).toMatchObject({ status: 200, body: { status: 'canceled' } });
    expect((await adminCall(api(), 'POST', `tenants/${t.tenantId}/backfill/cancel`)).status).toBe(
      409,
    );
    const progress = await adminCall(api(), 'GET', `tenants/${t.tenantId}/backfill`);
    expect(progress.body).toMatchObject({ status: 'canceled' });
  });

  it('re-runs a failed report at Stripe and re-ingests one that has a file', async () => {
    const { key } = await restrictedKeyMerchant(emu);
    const connected = await adminCall<{ tenantId: string }>(api(), 'POST', 'connections/api-key', {
      body: { apiKey: key },
    });
    expect(connected.status).toBe(201);
    const tenantId = connected.body.tenantId;
    const [failed, ingested] = (
      await pool().query<{ id: string }>(
        `INSERT INTO report_runs (id, tenant_id, stripe_run_id, report_type, interval_start, interval_end, status, error, file_url)
         VALUES (gen_random_uuid(), $1, 'frr_old1', 'balance.summary.1', '2026-09-01', '2026-10-01', 'failed', 'Stripe failed it', NULL),
                (gen_random_uuid(), $1, 'frr_old2', 'payouts.itemized.3', '2026-09-01', '2026-10-01', 'ingested', NULL, 'http://127.0.0.1:9/file')
         RETURNING id`,
        [tenantId],
      )
    ).rows;
    const listed = ReportRunList.parse(
      (await adminCall(api(), 'GET', `tenants/${tenantId}/reports`)).body,
    );
    expect(listed.data.map((r) => r.id)).toEqual(
      expect.arrayContaining([failed!.id, ingested!.id]),
    );
    const again = ReportRerun.parse(
      (await adminCall(api(), 'POST', `tenants/${tenantId}/reports/${failed!.id}/rerun`)).body,
    );
    expect(again.action).toBe('created_at_stripe');
    expect(again.stripeRunId).toMatch(/^frr_/);
    const { rows } = await pool().query(
      'SELECT status, stripe_run_id FROM report_runs WHERE id = $1',
      [failed!.id],
    );
    expect(rows[0]).toEqual({ status: 'pending', stripe_run_id: again.stripeRunId });
    const reingest = ReportRerun.parse(
      (await adminCall(api(), 'POST', `tenants/${tenantId}/reports/${ingested!.id}/rerun`)).body,
    );
    expect(reingest.action).toBe('reingest_queued');
    const jobs = await env.stack.queues.reports.getJobs([
      'waiting',
      'active',
      'delayed',
      'failed',
      'completed',
    ]);
    expect(
      jobs.some((j) => (j.data as { reportRunId?: string }).reportRunId === ingested!.id),
    ).toBe(true);
    expect(
      (await adminCall(api(), 'POST', `tenants/${tenantId}/reports/${crypto.randomUUID()}/rerun`))
        .status,
    ).toBe(404);
  });

  it('counts jobs per queue and state', async () => {
    const counts = QueueCounts.parse((await adminCall(api(), 'GET', 'queues')).body);
    expect(Object.keys(counts.queues).sort()).toEqual([
      'backfill',
      'events',
      'maintenance',
      'notifications',
      'reports',
    ]);
    expect(counts.queues.events).toMatchObject({
      waiting: expect.any(Number) as number,
      failed: expect.any(Number) as number,
    });
  });
});
