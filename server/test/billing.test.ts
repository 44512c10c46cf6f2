// Billing and Checkout merchants against the emulator: a subscription's life (periods invoiced
// on a test clock, a Checkout signup, cancel at period end with the customer's feedback) stored
// from webhooks equals what a backfill of the same account stores; a dispute on a subscription
// payment shows its invoice and subscription in the panel and argues from them; another merchant
// sees none of it.
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { EvidenceDraftSchema } from '../src/app-api/contract.ts';
import type { PaymentDisputes } from '../src/disputes/dispute-contract.ts';
import { appCall } from './support/app-client.ts';
import {
  accountSettled,
  ADMIN_TOKEN,
  connectedKeyMerchant,
  platformClient,
} from './support/emulator.ts';
import { useEmulatedStack } from './support/harness.ts';
import { waitFor } from './support/poll.ts';

const { emu, env } = useEmulatedStack({
  STRIPE_RATE_LIMIT_TEST: '0',
  BACKFILL_HISTORY_MONTHS: '12',
});

const DAY = 86_400;

/** Typed columns of the billing tables (raw and snapshot bookkeeping left out), in id order. */
const BILLING_TABLES: Record<string, string> = {
  subscriptions: `stripe_id, customer_id, status, price_id, product_id, currency, cancel_at_period_end,
    cancel_at, canceled_at, ended_at, cancellation_reason, cancellation_feedback,
    current_period_start, current_period_end, trial_end, stripe_created_at`,
  invoices: `stripe_id, customer_id, status, amount_due, amount_paid, currency, subscription_id,
    payment_intent_id, billing_reason, period_start, period_end`,
  checkout_sessions: `stripe_id, customer_id, payment_intent_id, subscription_id, mode, status,
    payment_status, amount_total, currency`,
  products: 'stripe_id, name, active, deleted',
  prices: 'stripe_id, product_id, active, type, unit_amount, currency, interval',
};

async function billingRows(tenantId: string) {
  const out: Record<string, unknown[]> = {};
  for (const [table, columns] of Object.entries(BILLING_TABLES)) {
    const { rows } = await env.stack.db.pool.query(
      `SELECT ${columns} FROM ${table} WHERE tenant_id = $1 ORDER BY stripe_id`,
      [tenantId],
    );
    out[table] = rows;
  }
  return out;
}

async function admin(method: string, path: string) {
  const res = await fetch(`${env.stack.api.url}/admin/v1/${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
  });
  return (await res.json()) as { status: string; runId?: string };
}

const backfillDone = (tenantId: string, after?: string) =>
  waitFor(
    async () => {
      const p = await admin('GET', `tenants/${tenantId}/backfill`);
      return (p.status === 'succeeded' || p.status === 'failed') && p.runId !== after ? p : null;
    },
    { timeoutMs: 60_000, what: 'the backfill to finish' },
  );

/** The merchant's subscription business, driven as its own integration would (stripe-node). */
async function subscriptionHistory(stripe: Stripe, opts: { stripeAccount: string }) {
  const start = Math.floor(Date.now() / 1000) - 100 * DAY;
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start }, opts);
  const customer = await stripe.customers.create(
    {
      email: 'ana@example.com',
      test_clock: clock.id,
      payment_method: 'pm_card_visa',
      invoice_settings: { default_payment_method: 'pm_card_visa' },
    },
    opts,
  );
  const product = await stripe.products.create({ name: 'Gift box club' }, opts);
  const price = await stripe.prices.create(
    { product: product.id, unit_amount: 2900, currency: 'usd', recurring: { interval: 'month' } },
    opts,
  );
  const sub = await stripe.subscriptions.create(
    { customer: customer.id, items: [{ price: price.id }] },
    opts,
  );
  // Two more months billed; then the customer cancels at the end of the paid period.
  await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + 62 * DAY }, opts);
  await stripe.subscriptions.update(
    sub.id,
    {
      cancel_at_period_end: true,
      cancellation_details: { feedback: 'too_expensive', comment: 'Cheaper elsewhere' },
    },
    opts,
  );
  await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + 95 * DAY }, opts);
  // A second customer signs up through Checkout.
  const session = await stripe.checkout.sessions.create(
    { mode: 'subscription', line_items: [{ price: price.id }], success_url: 'https://e.test/ok' },
    opts,
  );
  const pm = await stripe.paymentMethods.create(
    { type: 'card', card: { token: 'tok_visa' } },
    opts,
  );
  await stripe.rawRequest(
    'POST',
    `/v1/payment_pages/${session.id}/confirm`,
    { payment_method: pm.id },
    opts,
  );
  const invoices = await stripe.invoices.list({ subscription: sub.id, limit: 10 }, opts);
  return { sub, product, invoices: invoices.data, session };
}

describe('Billing merchants', () => {
  it('stores the subscription life from webhooks as a backfill does, and shows it on a disputed payment', async () => {
    const m = await connectedKeyMerchant(emu, env.stack.api.url);
    const first = await backfillDone(m.tenantId);
    expect(first.status).toBe('succeeded');
    const stripe = platformClient(emu);
    const opts = { stripeAccount: m.account };
    const { sub, invoices, session } = await subscriptionHistory(stripe, opts);
    expect(invoices).toHaveLength(3);

    // The cardholder disputes the second month's payment: "I canceled".
    const second = invoices.find((i) => i.billing_reason === 'subscription_cycle')!;
    const intent = second.payments!.data[0]!.payment.payment_intent as string;
    const pi = await stripe.paymentIntents.retrieve(intent, {}, opts);
    const res = await fetch(`${emu.emulator.url}/_emulator/dispute`, {
      method: 'POST',
      body: JSON.stringify({
        account: m.account,
        charge: pi.latest_charge,
        reason: 'subscription_canceled',
      }),
    });
    const dispute = (await res.json()) as { id: string };

    // Every event Stripe made for the account delivered and processed, so the rows are final
    // (the Checkout subscription's incomplete → active update can land after the session's
    // completion).
    const webhookRows = await waitFor(
      async () => {
        if (!(await accountSettled(stripe, m.account, env.stack.db.pool, m.tenantId))) return null;
        const rows = await billingRows(m.tenantId);
        const stored = rows.subscriptions as Array<{ stripe_id: string; status: string }>;
        const checkout = rows.checkout_sessions as Array<{ status: string }>;
        const disputes = await env.stack.db.pool.query(
          'SELECT 1 FROM disputes WHERE tenant_id = $1 AND stripe_id = $2',
          [m.tenantId, dispute.id],
        );
        return stored.find((s) => s.stripe_id === sub.id)?.status === 'canceled' &&
          checkout[0]?.status === 'complete' &&
          rows.invoices!.length === 4 &&
          (rows.invoices as Array<{ status: string }>).every((i) => i.status === 'paid') &&
          disputes.rowCount === 1
          ? rows
          : null;
      },
      { timeoutMs: 20_000, what: 'the subscription events processed' },
    );
    expect(webhookRows.subscriptions).toHaveLength(2);
    expect(webhookRows.subscriptions).toContainEqual(
      expect.objectContaining({
        stripe_id: sub.id,
        status: 'canceled',
        cancel_at_period_end: true,
        cancellation_reason: 'cancellation_requested',
        cancellation_feedback: 'too_expensive',
      }),
    );

    // The panel: the disputed payment's invoice and subscription, cancellation after the payment.
    const panel = await appCall<PaymentDisputes>(
      env.stack.api.url,
      'GET',
      `/app/v1/payments/${intent}/disputes`,
      m.who,
    );
    expect(panel.status).toBe(200);
    expect(panel.body.billing).toMatchObject({
      invoice: { id: second.id, billingReason: 'subscription_cycle', amountPaid: 2900 },
      subscription: {
        id: sub.id,
        status: 'canceled',
        product: 'Gift box club',
        interval: 'month',
        cancellationFeedback: 'too_expensive',
        canceledBeforePayment: false,
      },
    });
    expect(panel.body.billing!.invoice.periodStart).toBe(
      new Date(second.period_start * 1000).toISOString(),
    );

    // The evidence draft argues from it.
    const draft = await waitFor(async () => {
      const d = await appCall(
        env.stack.api.url,
        'GET',
        `/app/v1/disputes/${dispute.id}/evidence`,
        m.who,
      );
      const parsed = EvidenceDraftSchema.parse(d.body);
      return parsed.fields.cancellation_rebuttal?.value ? parsed : null;
    });
    expect(draft.reason).toBe('SUBSCRIPTION_CANCELED');
    expect(draft.fields.cancellation_rebuttal!.value).toContain(`canceled subscription ${sub.id}`);
    expect(draft.fields.cancellation_rebuttal!.value).toContain('after this payment');
    expect(draft.fields.service_date).toMatchObject({ source: 'invoice.period' });
    expect(draft.fields.service_date!.value).toBe(
      `${new Date(second.period_start * 1000).toISOString().slice(0, 10)} to ${new Date(second.period_end * 1000).toISOString().slice(0, 10)}`,
    );

    // Another merchant asking for the same payment learns nothing.
    const other = await connectedKeyMerchant(emu, env.stack.api.url);
    const stranger = await appCall(
      env.stack.api.url,
      'GET',
      `/app/v1/payments/${intent}/disputes`,
      other.who,
    );
    expect(stranger.status).toBe(404);
    expect(JSON.stringify(stranger.body)).not.toContain(sub.id);

    // The same account imported from scratch gives the same rows.
    const pool = env.stack.db.pool;
    for (const table of [...Object.keys(BILLING_TABLES), 'invoice_payments']) {
      await pool.query(`DELETE FROM ${table} WHERE tenant_id = $1`, [m.tenantId]);
    }
    const started = await fetch(`${env.stack.api.url}/admin/v1/tenants/${m.tenantId}/backfill`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({}),
    });
    expect(started.status).toBeLessThan(300);
    const again = await backfillDone(m.tenantId, first.runId);
    expect(again.status).toBe('succeeded');
    expect(await billingRows(m.tenantId)).toEqual(webhookRows);
    expect(session.id).toMatch(/^cs_test_/);
  });
});
