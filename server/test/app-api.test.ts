// The app API behind the Stripe App's views, over real HTTP, Postgres, Redis and the emulator:
// every answer parsed with the contract's schemas, the dispute panel's read, filters and cursor
// pages, the overview's figures, settings, disconnecting — and every read path tried across
// tenants.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreatedDestinationSchema,
  DestinationListSchema,
  DisputeDetailSchema,
  DisputeListSchema,
  ErrorSchema,
  PaymentDisputesSchema,
  RotatedSecretSchema,
  StatusSchema,
  SummarySchema,
  TestDeliverySchema,
} from '../src/app-api/contract.ts';
import { activateTenant } from '../src/connections/lifecycle/activate-tenant.ts';
import { appCall, type AppIdentity } from './support/app-client.ts';
import { restrictedKeyMerchant } from './support/emulator.ts';
import { charge, dispute, earlyFraudWarning, event } from './support/fixtures.ts';
import { CONNECT_SECRETS, useEmulatedStack } from './support/harness.ts';
import { sendEvent } from './support/http.ts';
import { nowSeconds, stripeId } from './support/ids.ts';
import { waitFor } from './support/poll.ts';

const { emu, env } = useEmulatedStack({
  NOTIFICATION_ALLOW_PRIVATE_ADDRESSES: 'true',
  WEBHOOK_REJECTION_FLUSH_MS: '100',
  STRIPE_RATE_LIMIT_TEST: '0',
});

type Json = Record<string, unknown>;
const call = <T = Json>(
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  who: AppIdentity,
  opts: Parameters<typeof appCall>[4] = {},
) => appCall<T>(env.stack.api.url, method, path, who, opts);

const H = 3600;
const D = 86400;

/** A connected tenant whose events (each at `at`, default its object's `created`) are processed. */
async function tenantWith(
  events: Array<{
    type: string;
    object: { id: string; object: string; created: number };
    at?: number;
  }>,
) {
  const account = stripeId('acct');
  const { tenant } = await activateTenant(
    { ...env.stack.enqueueDeps, prisma: env.stack.db.prisma, logger: env.stack.logger },
    { stripeAccountId: account, livemode: false, connectionType: 'oauth' },
  );
  for (const e of events) {
    const res = await sendEvent(
      `${env.stack.api.url}/webhooks/stripe/connect`,
      event(e.type, e.object, {
        account,
        created: e.at ?? e.object.created,
      }),
      CONNECT_SECRETS[0]!,
    );
    expect(res.status).toBe(200);
  }
  await waitFor(
    async () => {
      const { rows } = await env.stack.db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM raw_events WHERE tenant_id = $1 AND status NOT IN ('processed', 'ignored')`,
        [tenant.id],
      );
      return rows[0]!.n === 0;
    },
    { what: 'the events to be processed' },
  );
  return { account, tenantId: tenant.id, who: { user: 'usr_owner', account } as AppIdentity };
}

// Tenant A's history: six disputes in every kind of state, one payment with an order id and an
// early fraud warning; tenant B has one dispute of its own.
const now = nowSeconds();
const pi1 = stripeId('pi');
const ch1 = stripeId('ch');
const d1 = dispute({
  charge: ch1,
  paymentIntent: pi1,
  networkReasonCode: '10.4',
  amount: 4200,
  created: now - H,
  dueBy: now + 48 * H,
});
const d2 = dispute({
  brand: 'mastercard',
  networkReasonCode: '4853',
  reason: 'product_unacceptable',
  status: 'under_review',
  currency: 'eur',
  amount: 1000,
  submissionCount: 1,
  created: now - 2 * D,
  dueBy: now + 5 * D,
});
const d3Base = { networkReasonCode: '13.1', reason: 'product_not_received', created: now - 10 * D };
const d3 = dispute({ ...d3Base, status: 'needs_response' });
const d3Review = {
  ...dispute({ ...d3Base, status: 'under_review', submissionCount: 1 }),
  id: d3.id,
};
const d3Won = { ...dispute({ ...d3Base, status: 'won', submissionCount: 1 }), id: d3.id };
const d4 = dispute({ status: 'lost', submissionCount: 1, created: now - 20 * D });
const d5 = dispute({
  status: 'warning_needs_response',
  caseType: 'inquiry',
  reason: 'general',
  amount: 800,
  created: now - 3 * D,
  dueBy: now + 10 * D,
});
const d6 = dispute({ status: 'lost', created: now - 40 * D, dueBy: now - 30 * D });
const efw = earlyFraudWarning({ charge: ch1, payment_intent: pi1, created: now - 2 * H });

let A: Awaited<ReturnType<typeof tenantWith>>;
let B: Awaited<ReturnType<typeof tenantWith>>;
let dB: ReturnType<typeof dispute>;

beforeAll(async () => {
  A = await tenantWith([
    {
      type: 'charge.succeeded',
      object: charge({ id: ch1, payment_intent: pi1, metadata: { order_id: 'ORD-1' } }),
    },
    { type: 'charge.dispute.created', object: d1 },
    { type: 'charge.dispute.created', object: d2 },
    // d3's three steps arrive out of order; each event's time decides the timeline.
    { type: 'charge.dispute.closed', object: d3Won, at: d3.created + 2 * H },
    { type: 'charge.dispute.created', object: d3 },
    { type: 'charge.dispute.updated', object: d3Review, at: d3.created + H },
    { type: 'charge.dispute.closed', object: d4 },
    { type: 'charge.dispute.created', object: d5 },
    // d6 was lost without a response after its deadline had passed: EXPIRED.
    { type: 'charge.dispute.closed', object: d6, at: now - 29 * D },
    { type: 'radar.early_fraud_warning.created', object: efw },
  ]);
  dB = dispute({ created: now - 5 * H, dueBy: now + 24 * H });
  B = await tenantWith([{ type: 'charge.dispute.created', object: dB }]);
});

describe('the dispute panel (a payment’s disputes)', () => {
  it('finds the payment’s disputes by charge and by PaymentIntent, with timeline, order id and warnings', async () => {
    for (const id of [ch1, pi1]) {
      const res = await call('GET', `/app/v1/payments/${id}/disputes`, A.who);
      expect(res.status).toBe(200);
      const body = PaymentDisputesSchema.parse(res.body);
      expect(body.disputes.map((d) => d.id)).toEqual([d1.id]);
      expect(body.disputes[0]).toMatchObject({
        type: 'DISPUTE',
        status: 'OPEN',
        reason: 'FRAUD',
        reasonCode: '10.4',
        amount: 4200,
        currency: 'USD',
        transactionId: pi1,
        orderId: 'ORD-1',
        challengeRequiredBy: new Date((now + 48 * H) * 1000).toISOString(),
        dashboardUrl: `https://dashboard.stripe.com/test/disputes/${d1.id}`,
      });
      expect(body.disputes[0]!.reasonMeaning).toMatch(/card-absent/);
      expect(body.disputes[0]!.timeline.map((t) => t.stripeStatus)).toEqual(['needs_response']);
      expect(body.earlyFraudWarnings).toEqual([
        expect.objectContaining({
          id: efw.id,
          fraudType: 'made_with_stolen_card',
          actionable: true,
        }),
      ]);
    }
  });

  it('answers 404 for a payment it has no record of', async () => {
    const res = await call('GET', `/app/v1/payments/${stripeId('ch')}/disputes`, A.who);
    expect(res.status).toBe(404);
    expect(ErrorSchema.parse(res.body).error.details).toMatchObject({ reason: 'unknown_payment' });
  });

  it('refuses ids that are not payments', async () => {
    const res = await call('GET', '/app/v1/payments/cus_123/disputes', A.who);
    expect(res.status).toBe(400);
  });
});

describe('dispute list', () => {
  it('pages newest first with a cursor, every dispute once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await call('GET', '/app/v1/disputes', A.who, {
        query: { limit: '2', ...(cursor ? { cursor } : {}) },
      });
      expect(res.status).toBe(200);
      const page = DisputeListSchema.parse(res.body);
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((d) => d.id));
      cursor = page.next_cursor;
      expect(page.has_more).toBe(cursor !== null);
    } while (cursor);
    expect(seen).toEqual([d1.id, d2.id, d5.id, d3.id, d4.id, d6.id]);
  });

  it('filters by status, type, reason and deadline, alone and together', async () => {
    const ids = async (query: Record<string, string>) => {
      const res = await call('GET', '/app/v1/disputes', A.who, { query });
      expect(res.status).toBe(200);
      return DisputeListSchema.parse(res.body).data.map((d) => d.id);
    };
    expect(await ids({ status: 'OPEN' })).toEqual([d1.id, d5.id]);
    expect(await ids({ status: 'WON,LOST' })).toEqual([d3.id, d4.id]);
    expect(await ids({ status: 'EXPIRED' })).toEqual([d6.id]);
    expect(await ids({ type: 'RETRIEVAL' })).toEqual([d5.id]);
    expect(await ids({ reason: 'PRODUCT_UNACCEPTABLE' })).toEqual([d2.id]);
    const in72h = new Date((now + 72 * H) * 1000).toISOString();
    expect(await ids({ status: 'OPEN', due_before: in72h })).toEqual([d1.id]);
  });

  it('says what is wrong with a bad filter or cursor', async () => {
    const bad = await call('GET', '/app/v1/disputes', A.who, { query: { status: 'OPENED' } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(ErrorSchema.parse(bad.body).error.details)).toContain('status');
    const cursor = await call('GET', '/app/v1/disputes', A.who, { query: { cursor: 'nope' } });
    expect(cursor.status).toBe(400);
  });

  it('gives one dispute with its timeline in the order things happened', async () => {
    const res = await call('GET', `/app/v1/disputes/${d3.id}`, A.who);
    expect(res.status).toBe(200);
    const body = DisputeDetailSchema.parse(res.body);
    expect(body).toMatchObject({ status: 'WON', type: 'DISPUTE', reason: 'PRODUCT_NOT_RECEIVED' });
    expect(body.timeline.map((t) => [t.stripeStatus, t.status])).toEqual([
      ['needs_response', 'OPEN'],
      ['under_review', 'CHALLENGED'],
      ['won', 'WON'],
    ]);
  });
});

describe('overview figures', () => {
  it('counts open work, money at risk, the 90-day win rate, reasons, weeks and the most urgent', async () => {
    const res = await call('GET', '/app/v1/summary', A.who);
    expect(res.status).toBe(200);
    const s = SummarySchema.parse(res.body);
    expect(s).toMatchObject({ open: 3, needsResponse: 2, dueWithin72h: 1 });
    expect(s.amountAtRisk).toEqual([
      { currency: 'USD', amount: 5000 },
      { currency: 'EUR', amount: 1000 },
    ]);
    expect(s.winRate90d).toEqual({ won: 1, lost: 2, rate: 1 / 3 });
    expect(s.byReason90d).toEqual(
      expect.arrayContaining([
        { reason: 'FRAUD', count: 3 },
        { reason: 'PRODUCT_NOT_RECEIVED', count: 1 },
      ]),
    );
    expect(s.weekly.reduce((a, w) => a + w.count, 0)).toBe(6);
    expect(s.urgent.map((d) => d.id)).toEqual([d1.id, d5.id]);
  });

  it('reports the connection: webhooks, signature failures, backfill and reports', async () => {
    const before = StatusSchema.parse((await call('GET', '/app/v1/status', A.who)).body);
    expect(before.connection).toMatchObject({ accountId: A.account, status: 'active' });
    expect(before.webhooks.events24h).toBe(10);
    expect(before.webhooks.lastReceivedAt).not.toBeNull();
    // A delivery for A's account with a bad signature is counted against A.
    const bad = await sendEvent(
      `${env.stack.api.url}/webhooks/stripe/connect`,
      event('charge.dispute.created', dispute(), { account: A.account }),
      'whsec_wrong_secret_000000000',
    );
    expect(bad.status).toBe(400);
    await waitFor(async () => {
      const s = StatusSchema.parse((await call('GET', '/app/v1/status', A.who)).body);
      return s.webhooks.signatureFailures24h === before.webhooks.signatureFailures24h + 1;
    });
    // History import and reports as the worker leaves them: a finished run of two resources, one
    // report ingested and one failed (started after any run the maintenance pass may have made).
    const pool = env.stack.db.pool;
    const run = (
      await pool.query<{ id: string }>(
        `INSERT INTO backfill_runs (id, tenant_id, reason, status, started_at, finished_at)
         VALUES (gen_random_uuid(), $1, 'manual', 'succeeded', clock_timestamp() + interval '1 second',
                 clock_timestamp() + interval '2 seconds') RETURNING id`,
        [A.tenantId],
      )
    ).rows[0]!.id;
    await pool.query(
      `INSERT INTO backfill_windows (run_id, tenant_id, resource, window_start, window_end, status, objects, pages)
       VALUES ($1, $2, 'charge', now() - interval '60 days', now() - interval '30 days', 'done', 40, 1),
              ($1, $2, 'charge', now() - interval '30 days', now(), 'done', 2, 1),
              ($1, $2, 'dispute', now() - interval '60 days', now(), 'done', 6, 1)`,
      [run, A.tenantId],
    );
    await pool.query(
      `INSERT INTO report_runs (id, tenant_id, stripe_run_id, report_type, interval_start, interval_end, status, rows, updated_at)
       VALUES (gen_random_uuid(), $1, 'frr_1', 'balance.summary.1', now() - interval '30 days', now(), 'ingested', 12, now()),
              (gen_random_uuid(), $1, 'frr_2', 'payouts.itemized.3', now() - interval '30 days', now(), 'failed', NULL, now())`,
      [A.tenantId],
    );
    const after = StatusSchema.parse((await call('GET', '/app/v1/status', A.who)).body);
    expect(after.backfill).toMatchObject({
      status: 'succeeded',
      percent: 100,
      objects: 48,
      error: null,
    });
    expect(after.backfill.resources).toEqual([
      expect.objectContaining({ resource: 'charge', objects: 42, windowsDone: 2, windowsTotal: 2 }),
      expect.objectContaining({ resource: 'dispute', objects: 6, windowsDone: 1, windowsTotal: 1 }),
    ]);
    expect(after.reports).toMatchObject({ total: 2, ingested: 1, pending: 0, failed: 1 });
    expect(after.reports.lastIngestedAt).not.toBeNull();
  });

  it('tells an account that is not connected how to connect, and refuses its reads', async () => {
    const who = { user: 'usr_new', account: stripeId('acct') };
    const status = StatusSchema.parse((await call('GET', '/app/v1/status', who)).body);
    expect(status.connection).toMatchObject({ status: 'not_connected' });
    expect(status.connection.installUrl).toBe(`${env.stack.api.url}/oauth/install?mode=test`);
    const list = await call('GET', '/app/v1/disputes', who);
    expect(list.status).toBe(404);
    expect(ErrorSchema.parse(list.body).error.details).toMatchObject({ reason: 'not_connected' });
  });
});

describe('across tenants', () => {
  it('never shows one account another account’s disputes, payments or figures', async () => {
    expect((await call('GET', `/app/v1/disputes/${d1.id}`, B.who)).status).toBe(404);
    expect((await call('GET', `/app/v1/disputes/${dB.id}`, A.who)).status).toBe(404);
    expect((await call('GET', `/app/v1/payments/${ch1}/disputes`, B.who)).status).toBe(404);
    expect((await call('GET', `/app/v1/payments/${pi1}/disputes`, B.who)).status).toBe(404);
    const listB = DisputeListSchema.parse((await call('GET', '/app/v1/disputes', B.who)).body);
    expect(listB.data.map((d) => d.id)).toEqual([dB.id]);
    const sumB = SummarySchema.parse((await call('GET', '/app/v1/summary', B.who)).body);
    expect(sumB).toMatchObject({ open: 1, needsResponse: 1 });
    const statusB = StatusSchema.parse((await call('GET', '/app/v1/status', B.who)).body);
    expect(statusB.webhooks.events24h).toBe(1);
  });

  it('never lets one account list, change, test or delete another account’s destinations', async () => {
    const created = await call('POST', '/app/v1/notification-destinations', A.who, {
      body: { url: 'http://127.0.0.1:9/a-hook' },
    });
    expect(created.status).toBe(201);
    const id = CreatedDestinationSchema.parse(created.body).id;
    const listB = DestinationListSchema.parse(
      (await call('GET', '/app/v1/notification-destinations', B.who)).body,
    );
    expect(listB.data).toEqual([]);
    for (const [method, path, body] of [
      ['POST', `/app/v1/notification-destinations/${id}`, { enabled: false }],
      ['POST', `/app/v1/notification-destinations/${id}/rotate-secret`, {}],
      ['POST', `/app/v1/notification-destinations/${id}/test`, {}],
      ['DELETE', `/app/v1/notification-destinations/${id}`, {}],
    ] as const) {
      const res = await call(method, path, B.who, { body });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const listA = DestinationListSchema.parse(
      (await call('GET', '/app/v1/notification-destinations', A.who)).body,
    );
    expect(listA.data).toEqual([expect.objectContaining({ id, enabled: true })]);
  });
});

describe('notification settings', () => {
  const received: Array<{ headers: http.IncomingHttpHeaders; raw: string }> = [];
  let status = 200;
  let receiver: http.Server;
  let url: string;
  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, raw });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/disputes`;
  });
  afterAll(() => new Promise((r) => receiver.close(r)));

  it('creates a destination (secret shown once), sends a signed test, rotates, disables and deletes', async () => {
    const created = await call('POST', '/app/v1/notification-destinations', B.who, {
      body: { url },
    });
    const dest = CreatedDestinationSchema.parse(created.body);
    const listed = await call('GET', '/app/v1/notification-destinations', B.who);
    expect(JSON.stringify(listed.body)).not.toContain(dest.signingSecret);
    expect(DestinationListSchema.parse(listed.body).data[0]!.secretHint).toBeTruthy();

    const test = TestDeliverySchema.parse(
      (await call('POST', `/app/v1/notification-destinations/${dest.id}/test`, B.who)).body,
    );
    expect(test).toMatchObject({ delivered: true, httpStatus: 200, error: null });
    const got = received.at(-1)!;
    const t = String(got.headers['x-signature-timestamp']);
    expect(got.headers['x-signature-primary']).toBe(
      createHmac('sha256', dest.signingSecret).update(`${t}.${got.raw}`).digest('base64'),
    );
    expect(JSON.parse(got.raw)).toMatchObject({
      test: true,
      eventType: 'DISPUTE.STATUS',
      accountId: B.account,
    });

    status = 500;
    const failed = TestDeliverySchema.parse(
      (await call('POST', `/app/v1/notification-destinations/${dest.id}/test`, B.who)).body,
    );
    expect(failed).toMatchObject({ delivered: false, httpStatus: 500, error: 'answered 500' });
    status = 200;

    const rotated = RotatedSecretSchema.parse(
      (await call('POST', `/app/v1/notification-destinations/${dest.id}/rotate-secret`, B.who))
        .body,
    );
    await call('POST', `/app/v1/notification-destinations/${dest.id}/test`, B.who);
    const after = received.at(-1)!;
    const t2 = String(after.headers['x-signature-timestamp']);
    const sign = (s: string) =>
      createHmac('sha256', s).update(`${t2}.${after.raw}`).digest('base64');
    expect(after.headers['x-signature-primary']).toBe(sign(rotated.signingSecret));
    expect(after.headers['x-signature-secondary']).toBe(sign(dest.signingSecret));

    const off = await call('POST', `/app/v1/notification-destinations/${dest.id}`, B.who, {
      body: { enabled: false },
    });
    expect(off.body).toMatchObject({ enabled: false });
    const gone = await call('DELETE', `/app/v1/notification-destinations/${dest.id}`, B.who);
    expect(gone.body).toMatchObject({ deleted: true });
    const empty = DestinationListSchema.parse(
      (await call('GET', '/app/v1/notification-destinations', B.who)).body,
    );
    expect(empty.data).toEqual([]);
  });

  it('refuses a URL that is not one', async () => {
    const res = await call('POST', '/app/v1/notification-destinations', B.who, {
      body: { url: 'not a url' },
    });
    expect(res.status).toBe(400);
  });
});

describe('disconnecting from the settings', () => {
  it('needs the account id typed back, revokes our endpoint, and then refuses the tenant’s reads', async () => {
    const { account, key } = await restrictedKeyMerchant(emu);
    const who = { user: 'usr_owner', account };
    // Connected with the key on the backend's page (the app does not take keys).
    const res = await fetch(`${env.stack.api.url}/connect/api-key`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ apiKey: key }),
    });
    expect(res.status).toBe(201);
    const connected = (await res.json()) as { webhook: { status: string } };
    expect(connected.webhook.status).toBe('created');
    const endpoints = async () =>
      (
        (await (
          await fetch(`${emu.emulator.url}/v1/webhook_endpoints`, {
            headers: { authorization: `Bearer ${key}` },
          })
        ).json()) as { data: unknown[] }
      ).data.length;
    expect(await endpoints()).toBe(1);

    const wrong = await call('POST', '/app/v1/connection/disconnect', who, {
      body: { confirm: 'acct_someone_else' },
    });
    expect(wrong.status).toBe(400);
    const done = await call('POST', '/app/v1/connection/disconnect', who, {
      body: { confirm: account },
    });
    expect(done).toMatchObject({
      status: 200,
      body: { status: 'disconnected', revocation: { done: true } },
    });
    expect(await endpoints()).toBe(0);
    const reads = await call('GET', '/app/v1/disputes', who);
    expect(reads.status).toBe(403);
    expect(ErrorSchema.parse(reads.body).error.details).toMatchObject({ reason: 'disconnected' });
    const status = StatusSchema.parse((await call('GET', '/app/v1/status', who)).body);
    expect(status.connection.status).toBe('disconnected');
    const again = await call('POST', '/app/v1/connection/disconnect', who, {
      body: { confirm: account },
    });
    expect(again.status).toBe(403);
    // The API key is gone: nothing of this tenant's can reach Stripe any more.
    const { rows } = await env.stack.db.pool.query(
      `SELECT kind FROM credentials c JOIN tenants t ON t.id = c.tenant_id WHERE t.stripe_account_id = $1`,
      [account],
    );
    expect(rows).toEqual([]);
  });
});
