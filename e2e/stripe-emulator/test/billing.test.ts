// Billing and Checkout as stripe-node drives them: a subscription's periods invoiced as a test
// clock advances (paid, then declined → past_due), cancel at period end, list semantics, the
// refusals Stripe makes, and a Checkout Session in subscription and payment mode.
import type Stripe from 'stripe';
import { beforeAll, describe, expect, it } from 'vitest';
import { useEmulator } from './support/emulator.ts';

const emu = useEmulator();
let stripe: Stripe;
beforeAll(() => {
  stripe = emu.client();
});

const DAY = 86_400;
const start = Math.floor(Date.UTC(2026, 0, 15) / 1000);

async function monthly(amount: number) {
  const product = await stripe.products.create({ name: 'Gift box' });
  return stripe.prices.create({
    product: product.id,
    unit_amount: amount,
    currency: 'usd',
    recurring: { interval: 'month' },
  });
}

describe('subscriptions on a test clock', () => {
  it('invoices each period, fails to past_due on a decline, and cancels at period end', async () => {
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
    const customer = await stripe.customers.create({
      test_clock: clock.id,
      payment_method: 'pm_card_visa',
      invoice_settings: { default_payment_method: 'pm_card_visa' },
    });
    const price = await monthly(1500);
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
    });
    expect(sub.status).toBe('active');
    expect(sub.items.data[0]!.current_period_start).toBe(start);
    const first = await stripe.invoices.retrieve(sub.latest_invoice as string);
    expect(first).toMatchObject({
      status: 'paid',
      amount_paid: 1500,
      billing_reason: 'subscription_create',
    });
    expect(first.parent?.subscription_details?.subscription).toBe(sub.id);

    // Two months pass: two more invoices, one per period, each paid.
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + 62 * DAY });
    const invoices = await stripe.invoices.list({ customer: customer.id, limit: 10 });
    expect(invoices.data.map((i) => [i.billing_reason, i.status, i.period_start])).toEqual([
      ['subscription_cycle', 'paid', Math.floor(Date.UTC(2026, 2, 15) / 1000)],
      ['subscription_cycle', 'paid', Math.floor(Date.UTC(2026, 1, 15) / 1000)],
      ['subscription_create', 'paid', start],
    ]);

    // The card starts declining: the next period's invoice stays open, the subscription past_due.
    const failing = await stripe.paymentMethods.attach('pm_card_chargeCustomerFail', {
      customer: customer.id,
    });
    await stripe.subscriptions.update(sub.id, { default_payment_method: failing.id });
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + 93 * DAY });
    const late = await stripe.subscriptions.retrieve(sub.id);
    expect(late.status).toBe('past_due');
    expect((await stripe.invoices.retrieve(late.latest_invoice as string)).status).toBe('open');

    // Cancel at period end: still listed until the period ends, then canceled with its reason.
    await stripe.subscriptions.update(sub.id, {
      default_payment_method:
        (customer.invoice_settings.default_payment_method as string) ?? undefined,
      cancel_at_period_end: true,
      cancellation_details: { feedback: 'too_expensive', comment: 'Moving to a cheaper plan' },
    });
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + 130 * DAY });
    const ended = await stripe.subscriptions.retrieve(sub.id);
    expect(ended).toMatchObject({
      status: 'canceled',
      cancellation_details: { reason: 'cancellation_requested', feedback: 'too_expensive' },
    });
    const active = await stripe.subscriptions.list({ customer: customer.id });
    expect(active.data).toHaveLength(0);
    const all = await stripe.subscriptions.list({ customer: customer.id, status: 'all' });
    expect(all.data.map((s) => s.id)).toEqual([sub.id]);
  });

  it('starts a trial without charging and pauses it when told to and there is no payment method', async () => {
    const customer = await stripe.customers.create({});
    const price = await monthly(900);
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      trial_period_days: 7,
      trial_settings: { end_behavior: { missing_payment_method: 'pause' } },
    });
    expect(sub.status).toBe('trialing');
    expect((await stripe.invoices.retrieve(sub.latest_invoice as string)).amount_due).toBe(0);
    const paused = await stripe.subscriptions.update(sub.id, { trial_end: 'now' });
    expect(paused.status).toBe('paused');
  });

  it('refuses what Stripe refuses', async () => {
    const customer = await stripe.customers.create({});
    const product = await stripe.products.create({ name: 'One-off' });
    const oneOff = await stripe.prices.create({
      product: product.id,
      unit_amount: 500,
      currency: 'usd',
    });
    await expect(
      stripe.subscriptions.create({ customer: customer.id, items: [{ price: oneOff.id }] }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'items[0][price]' });
    await expect(stripe.products.del(product.id)).rejects.toMatchObject({
      statusCode: 400,
      code: 'product_has_prices',
    });
    await expect(stripe.subscriptions.retrieve('sub_missing')).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });
  });
});

describe('subscription schedules and quotes', () => {
  it('runs a schedule’s phases on a test clock, warns before the end and cancels at it', async () => {
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
    const customer = await stripe.customers.create({
      test_clock: clock.id,
      payment_method: 'pm_card_visa',
      invoice_settings: { default_payment_method: 'pm_card_visa' },
    });
    const price = await monthly(1000);
    const schedule = await stripe.subscriptionSchedules.create({
      customer: customer.id,
      start_date: 'now',
      end_behavior: 'cancel',
      phases: [
        { items: [{ price: price.id, quantity: 1 }], duration: { interval: 'month' } },
        { items: [{ price: price.id, quantity: 2 }], duration: { interval: 'month' } },
      ],
    });
    expect(schedule.status).toBe('active');
    const subId = schedule.subscription as string;
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + 40 * DAY });
    const invoices = await stripe.invoices.list({ subscription: subId });
    expect(invoices.data.map((i) => i.amount_paid)).toEqual([2000, 1000]);
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + 70 * DAY });
    expect((await stripe.subscriptionSchedules.retrieve(schedule.id)).status).toBe('completed');
    expect((await stripe.subscriptions.retrieve(subId)).status).toBe('canceled');
    const types = (await stripe.events.list({ limit: 100 })).data
      .filter((e) => (e.data.object as { id: string }).id === schedule.id)
      .map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'subscription_schedule.created',
        'subscription_schedule.expiring',
        'subscription_schedule.completed',
      ]),
    );
  });

  it('accepts a quote into a subscription, and refuses accepting a draft', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const price = await monthly(1500);
    const quote = await stripe.quotes.create({
      customer: customer.id,
      line_items: [{ price: price.id, quantity: 3 }],
    });
    expect(quote.amount_total).toBe(4500);
    await expect(stripe.quotes.accept(quote.id)).rejects.toMatchObject({ statusCode: 400 });
    await stripe.quotes.finalizeQuote(quote.id);
    const accepted = await stripe.quotes.accept(quote.id);
    expect(accepted.status).toBe('accepted');
    const sub = await stripe.subscriptions.retrieve(accepted.subscription as string);
    expect(sub).toMatchObject({ status: 'active', customer: customer.id });
  });
});

describe('cash balance', () => {
  it('a bank-transfer payment waits, is partially funded, then succeeds when the rest arrives', async () => {
    const customer = await stripe.customers.create({});
    const pi = await stripe.paymentIntents.create({
      amount: 20000,
      currency: 'jpy',
      customer: customer.id,
      payment_method_data: { type: 'customer_balance' },
      payment_method_options: {
        customer_balance: {
          funding_type: 'bank_transfer',
          bank_transfer: { type: 'jp_bank_transfer' },
        },
      },
      confirm: true,
    });
    expect(pi.status).toBe('requires_action');
    const fund = (amount: number) =>
      stripe.testHelpers.customers.fundCashBalance(customer.id, { amount, currency: 'jpy' });
    await fund(12000);
    const partial = await stripe.paymentIntents.retrieve(pi.id);
    expect(partial.status).toBe('requires_action');
    expect(partial.next_action?.display_bank_transfer_instructions?.amount_remaining).toBe(8000);
    await fund(9000);
    const paid = await stripe.paymentIntents.retrieve(pi.id);
    expect(paid).toMatchObject({ status: 'succeeded', amount_received: 20000 });
    const charge = await stripe.charges.retrieve(paid.latest_charge as string);
    expect(charge.payment_method_details?.type).toBe('customer_balance');
    const types = (await stripe.events.list({ limit: 30 })).data.map((e) => e.type);
    expect(types).toContain('payment_intent.partially_funded');
  });
});

describe('Checkout Sessions', () => {
  it('subscription mode makes a customer, a subscription and its paid first invoice', async () => {
    const price = await monthly(2500);
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: price.id, quantity: 2 }],
      success_url: 'https://example.com/ok',
    });
    expect(session).toMatchObject({ status: 'open', amount_total: 5000, payment_status: 'unpaid' });
    const pm = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } });
    const confirmed = (await stripe.rawRequest('POST', `/v1/payment_pages/${session.id}/confirm`, {
      payment_method: pm.id,
    })) as unknown as { status: string; subscription: string; customer: string };
    expect(confirmed).toMatchObject({ status: 'complete' });
    const sub = await stripe.subscriptions.retrieve(confirmed.subscription);
    expect(sub).toMatchObject({ status: 'active', customer: confirmed.customer });
    const sessions = await stripe.checkout.sessions.list({ subscription: sub.id });
    expect(sessions.data.map((s) => s.id)).toEqual([session.id]);
  });

  it('expires an open session once, and refuses line items of mixed currencies', async () => {
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [
        {
          price_data: { currency: 'eur', unit_amount: 700, product_data: { name: 'Mug' } },
          quantity: 1,
        },
      ],
      success_url: 'https://example.com/ok',
    });
    expect((await stripe.checkout.sessions.expire(session.id)).status).toBe('expired');
    await expect(stripe.checkout.sessions.expire(session.id)).rejects.toMatchObject({
      statusCode: 400,
    });
    await expect(
      stripe.checkout.sessions.create({
        mode: 'payment',
        line_items: [
          {
            price_data: { currency: 'eur', unit_amount: 700, product_data: { name: 'Mug' } },
            quantity: 1,
          },
          {
            price_data: { currency: 'usd', unit_amount: 700, product_data: { name: 'Cup' } },
            quantity: 1,
          },
        ],
        success_url: 'https://example.com/ok',
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'line_items' });
  });
});
