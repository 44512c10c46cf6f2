// Real Stripe payloads of several API versions, not only what our emulator sends, go through
// ingest (signed webhook) and processing (the worker) into normalized rows: old charges without
// `disputed`, disputes without a PaymentIntent, with their charge expanded, with the reason code
// at the top level, in legacy statuses; PaymentIntents before and after `latest_charge`; and the
// least any version renders of each resource. Client secrets are never stored.
import { describe, expect, it } from 'vitest';
import { activateTenant } from '../src/connections/lifecycle/activate-tenant.ts';
import { CONNECT_SECRETS, useStack } from './support/harness.ts';
import { sendEvent } from './support/http.ts';
import { nowSeconds, stripeId } from './support/ids.ts';
import { waitFor } from './support/poll.ts';
import { loadPaymentBilling, paymentRefs } from '../src/disputes/payment-billing.ts';
import {
  billing2019,
  charge2019,
  charge2023,
  dispute2017,
  dispute2023,
  dispute2026,
  minimalObjects,
  paymentIntent2020,
  paymentIntent2022,
} from './support/stripe-shapes.ts';

const env = useStack();
const pool = () => env.stack.db.pool;

async function tenant() {
  const account = stripeId('acct');
  const { tenant } = await activateTenant(
    { ...env.stack.enqueueDeps, prisma: env.stack.db.prisma, logger: env.stack.logger },
    { stripeAccountId: account, livemode: false, connectionType: 'oauth' },
  );
  return { id: tenant.id, account };
}

let clock = nowSeconds() - 3000;
/** Sends one event at an API version and waits until the worker has processed it. */
async function deliver(
  t: { id: string; account: string },
  apiVersion: string,
  type: string,
  object: Record<string, unknown>,
) {
  const id = stripeId('evt');
  const res = await sendEvent(
    `${env.stack.api.url}/webhooks/stripe/connect`,
    {
      id,
      object: 'event',
      api_version: apiVersion,
      created: ++clock,
      data: { object },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      account: t.account,
    },
    CONNECT_SECRETS[0]!,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const row = await waitFor(async () => {
    const { rows } = await pool().query<{
      status: string;
      last_error: string | null;
      attempts: number;
    }>(
      'SELECT status, last_error, attempts FROM raw_events WHERE tenant_id = $1 AND stripe_event_id = $2',
      [t.id, id],
    );
    const r = rows[0];
    return r && (r.status === 'processed' || r.status === 'failed' || r.attempts > 0) ? r : null;
  });
  expect(row, `${type} @${apiVersion}: ${row.last_error}`).toMatchObject({ status: 'processed' });
}

const disputeRow = async (tenantId: string, id: string) =>
  (
    await pool().query<Record<string, unknown>>(
      `SELECT type, status, stripe_status, reason, network_reason_code, charge_id, payment_intent_id,
              transaction_id, order_id, card_brand, case_type, amount, currency
         FROM disputes WHERE tenant_id = $1 AND stripe_id = $2`,
      [tenantId, id],
    )
  ).rows[0];

describe('charges', () => {
  it('2019-08-14: no `disputed` (a `dispute` id instead), the card as `source`', async () => {
    const t = await tenant();
    const disputed = charge2019({ disputeId: stripeId('dp') });
    const clean = charge2019();
    await deliver(t, '2019-08-14', 'charge.succeeded', disputed);
    await deliver(t, '2018-02-28', 'charge.succeeded', clean);
    const { rows } = await pool().query<Record<string, unknown>>(
      `SELECT stripe_id, disputed, paid, captured, refunded, status, card_brand, card_last4, currency
         FROM charges WHERE tenant_id = $1 ORDER BY stripe_id`,
      [t.id],
    );
    const byId = new Map(rows.map((r) => [r.stripe_id, r]));
    expect(byId.get(disputed.id)).toMatchObject({
      disputed: true,
      paid: true,
      captured: true,
      refunded: false,
      status: 'succeeded',
      card_brand: 'visa',
      card_last4: '4242',
      currency: 'USD',
    });
    expect(byId.get(clean.id)).toMatchObject({ disputed: false });
  });
});

describe('disputes', () => {
  it('2023 (fixtures3): no PaymentIntent of its own — the charge’s, known before, is its transaction', async () => {
    const t = await tenant();
    const ch = charge2023({ disputed: true });
    await deliver(t, '2022-11-15', 'charge.succeeded', ch);
    const d = dispute2023({ charge: ch.id });
    await deliver(t, '2022-11-15', 'charge.dispute.created', d);
    expect(await disputeRow(t.id, d.id)).toMatchObject({
      type: 'RETRIEVAL',
      status: 'OPEN',
      charge_id: ch.id,
      payment_intent_id: ch.payment_intent,
      transaction_id: ch.payment_intent,
      reason: 'GENERAL',
    });
  });

  it('the same when the charge arrives after the dispute, and a later snapshot keeps the pi_', async () => {
    const t = await tenant();
    const ch = charge2023({ disputed: true });
    const d = dispute2023({ charge: ch.id, status: 'warning_needs_response' });
    await deliver(t, '2022-11-15', 'charge.dispute.created', d);
    expect(await disputeRow(t.id, d.id)).toMatchObject({ transaction_id: ch.id });
    await deliver(t, '2022-11-15', 'charge.dispute.updated', d);
    await deliver(t, '2022-11-15', 'charge.succeeded', ch);
    expect(await disputeRow(t.id, d.id)).toMatchObject({
      payment_intent_id: ch.payment_intent,
      transaction_id: ch.payment_intent,
    });
    await deliver(t, '2022-11-15', 'charge.dispute.closed', { ...d, status: 'warning_closed' });
    expect(await disputeRow(t.id, d.id)).toMatchObject({
      status: 'CANCELLED',
      payment_intent_id: ch.payment_intent,
      transaction_id: ch.payment_intent,
    });
  });

  it('with its charge expanded: the order id from the charge, the charge stored, the pi_ as transaction', async () => {
    const t = await tenant();
    const ch = { ...charge2023({ disputed: true }), metadata: { order_id: 'ORD-EXP-1' } };
    const d = dispute2023({ charge: ch, status: 'needs_response', reason: 'product_not_received' });
    await deliver(t, '2023-10-16', 'charge.dispute.created', d);
    expect(await disputeRow(t.id, d.id)).toMatchObject({
      charge_id: ch.id,
      payment_intent_id: ch.payment_intent,
      transaction_id: ch.payment_intent,
      order_id: 'ORD-EXP-1',
      card_brand: 'visa',
      reason: 'PRODUCT_NOT_RECEIVED',
    });
    const stored = await pool().query<{ order_id: string; disputed: boolean }>(
      'SELECT order_id, disputed FROM charges WHERE tenant_id = $1 AND stripe_id = $2',
      [t.id, ch.id],
    );
    expect(stored.rows[0]).toEqual({ order_id: 'ORD-EXP-1', disputed: true });
  });

  it('before 2019: reason code at the top level, legacy `charge_refunded` counted closed', async () => {
    const t = await tenant();
    const ch = charge2019({ orderId: 'ORD-2017' });
    await deliver(t, '2017-08-15', 'charge.succeeded', ch);
    const open = dispute2017({
      charge: ch.id,
      status: 'needs_response',
      networkReasonCode: '4837',
    });
    await deliver(t, '2017-08-15', 'charge.dispute.created', open);
    expect(await disputeRow(t.id, open.id)).toMatchObject({
      type: 'DISPUTE',
      status: 'OPEN',
      network_reason_code: '4837',
      transaction_id: ch.id, // no PaymentIntent exists for a 2017 charge
      order_id: 'ORD-2017',
      amount: 2000,
    });
    await deliver(t, '2017-08-15', 'charge.dispute.closed', { ...open, status: 'charge_refunded' });
    expect(await disputeRow(t.id, open.id)).toMatchObject({
      status: 'ACCEPTED',
      stripe_status: 'charge_refunded',
    });
    const openCount = await pool().query<{ n: number }>(
      `SELECT count(*)::int AS n FROM disputes WHERE tenant_id = $1 AND status IN ('OPEN', 'CHALLENGED')`,
      [t.id],
    );
    expect(openCount.rows[0]!.n).toBe(0);
  });

  it('2026: case type, reason code and CE3.0 eligibility from payment_method_details', async () => {
    const t = await tenant();
    const pi = paymentIntent2022();
    const ch = charge2023({ paymentIntentId: pi.id, disputed: true });
    const d = dispute2026({ charge: ch.id, paymentIntent: pi.id });
    await deliver(t, '2026-10-28.endive', 'charge.dispute.created', d);
    expect(await disputeRow(t.id, d.id)).toMatchObject({
      type: 'DISPUTE',
      status: 'OPEN',
      reason: 'FRAUD',
      network_reason_code: '10.4',
      case_type: 'chargeback',
      transaction_id: pi.id,
    });
  });
});

describe('PaymentIntents', () => {
  it('2022-11-15 with a client secret: stored without it, in the event and the row', async () => {
    const t = await tenant();
    const pi = paymentIntent2022({ orderId: 'ORD-PI' });
    await deliver(t, '2022-11-15', 'payment_intent.succeeded', pi);
    const { rows } = await pool().query<{
      raw: string;
      latest_charge_id: string;
      order_id: string;
    }>(
      `SELECT raw::text AS raw, latest_charge_id, order_id FROM payment_intents
        WHERE tenant_id = $1 AND stripe_id = $2`,
      [t.id, pi.id],
    );
    expect(rows[0]).toMatchObject({ latest_charge_id: pi.latest_charge, order_id: 'ORD-PI' });
    expect(rows[0]!.raw).not.toContain('client_secret');
    const events = await pool().query<{ payload: string }>(
      'SELECT payload::text AS payload FROM raw_events WHERE tenant_id = $1',
      [t.id],
    );
    expect(events.rows[0]!.payload).not.toContain('_secret_');
  });

  it('before 2022-11-15: the latest charge taken from the `charges` list', async () => {
    const t = await tenant();
    const { chargeId, ...pi } = paymentIntent2020();
    await deliver(t, '2020-08-27', 'payment_intent.succeeded', pi);
    const { rows } = await pool().query<{ latest_charge_id: string }>(
      'SELECT latest_charge_id FROM payment_intents WHERE tenant_id = $1 AND stripe_id = $2',
      [t.id, pi.id],
    );
    expect(rows[0]!.latest_charge_id).toBe(chargeId);
  });
});

describe('Billing', () => {
  it('2019-12-03: period and plan on the subscription, the invoice found from the charge', async () => {
    const t = await tenant();
    const b = billing2019();
    await deliver(t, '2019-12-03', 'plan.created', b.plan);
    await deliver(t, '2019-12-03', 'customer.subscription.deleted', b.subscription);
    await deliver(t, '2019-12-03', 'invoice.payment_succeeded', b.invoice);
    await deliver(t, '2019-12-03', 'charge.succeeded', b.charge);
    const sub = (
      await pool().query<Record<string, unknown>>(
        `SELECT status, price_id, product_id, current_period_start, canceled_at
           FROM subscriptions WHERE tenant_id = $1`,
        [t.id],
      )
    ).rows[0];
    expect(sub).toEqual({
      status: 'canceled',
      price_id: b.ids.plan,
      product_id: b.ids.product,
      current_period_start: new Date(b.subscription.current_period_start * 1000),
      canceled_at: new Date(b.subscription.canceled_at * 1000),
    });
    const price = (
      await pool().query<{ type: string; unit_amount: string; interval: string }>(
        'SELECT type, unit_amount, interval FROM prices WHERE tenant_id = $1',
        [t.id],
      )
    ).rows[0]!;
    expect({ ...price, unit_amount: Number(price.unit_amount) }).toEqual({
      type: 'recurring',
      unit_amount: 1900,
      interval: 'month',
    });
    const found = await loadPaymentBilling(
      pool(),
      t.id,
      await paymentRefs(pool(), t.id, b.ids.charge),
    );
    expect(found?.view).toMatchObject({
      invoice: { id: b.ids.invoice, amountPaid: 1900, currency: 'USD' },
      subscription: {
        id: b.ids.subscription,
        status: 'canceled',
        interval: 'month',
        canceledBeforePayment: false,
      },
    });
  });
});

describe('the least any version renders', () => {
  it('stores a row for each resource from id, object, created and livemode alone', async () => {
    const t = await tenant();
    for (const { type, object } of minimalObjects()) {
      await deliver(t, '2015-10-16', type, object);
    }
    const counts = await pool().query<{ t: string; n: number }>(
      `SELECT 'charges' AS t, count(*)::int AS n FROM charges WHERE tenant_id = $1
       UNION ALL SELECT 'disputes', count(*)::int FROM disputes WHERE tenant_id = $1
       UNION ALL SELECT 'payment_intents', count(*)::int FROM payment_intents WHERE tenant_id = $1
       UNION ALL SELECT 'refunds', count(*)::int FROM refunds WHERE tenant_id = $1
       UNION ALL SELECT 'payouts', count(*)::int FROM payouts WHERE tenant_id = $1
       UNION ALL SELECT 'early_fraud_warnings', count(*)::int FROM early_fraud_warnings WHERE tenant_id = $1
       UNION ALL SELECT 'customers', count(*)::int FROM customers WHERE tenant_id = $1
       UNION ALL SELECT 'invoices', count(*)::int FROM invoices WHERE tenant_id = $1
       UNION ALL SELECT 'payment_methods', count(*)::int FROM payment_methods WHERE tenant_id = $1
       UNION ALL SELECT 'subscriptions', count(*)::int FROM subscriptions WHERE tenant_id = $1
       UNION ALL SELECT 'checkout_sessions', count(*)::int FROM checkout_sessions WHERE tenant_id = $1
       UNION ALL SELECT 'products', count(*)::int FROM products WHERE tenant_id = $1
       UNION ALL SELECT 'prices', count(*)::int FROM prices WHERE tenant_id = $1
       UNION ALL SELECT 'invoice_payments', count(*)::int FROM invoice_payments WHERE tenant_id = $1`,
      [t.id],
    );
    for (const r of counts.rows) expect(r.n, r.t).toBe(1);
  });
});
