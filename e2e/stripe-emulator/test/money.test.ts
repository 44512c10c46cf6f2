// Money movement as stripe-node sees it: balance transactions for charges, refunds, disputes and
// payouts; refund and payout rules; report runs whose CSV files add up to the balance.
import type Stripe from 'stripe';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_KEYS } from '../src/server.ts';
import { useEmulator } from './support/emulator.ts';

const emu = useEmulator({ settings: { settleDelayMs: 20, payoutDelayMs: 20, reportDelayMs: 20 } });
let platform: Stripe;
beforeAll(() => {
  platform = client();
});
const client = (stripeAccount?: string) => emu.as(stripeAccount);

/** A fresh connected account, so each test sees only its own money. */
async function merchant() {
  const account = await platform.accounts.create({ type: 'standard' });
  return client(account.id);
}

async function until<T>(fn: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const pay = (stripe: Stripe, amount: number, payment_method = 'pm_card_visa') =>
  stripe.paymentIntents.create({ amount, currency: 'usd', payment_method, confirm: true });

describe('balance transactions', () => {
  it('books a charge with Stripe fees, pending for two days unless bypassPending', async () => {
    const stripe = await merchant();
    const pending = await pay(stripe, 10_000);
    const charge = await stripe.charges.retrieve(pending.latest_charge as string);
    const txn = await stripe.balanceTransactions.retrieve(charge.balance_transaction as string);
    expect(txn).toMatchObject({
      amount: 10_000,
      fee: 320,
      net: 9_680,
      type: 'charge',
      reporting_category: 'charge',
      source: charge.id,
      status: 'pending',
    });
    expect(txn.available_on - txn.created).toBe(2 * 86400);
    await pay(stripe, 2000, 'pm_card_bypassPending');
    const balance = await stripe.balance.retrieve();
    expect(balance.available).toEqual([
      { amount: 1912, currency: 'usd', source_types: { card: 1912 } },
    ]);
    expect(balance.pending).toEqual([
      { amount: 9680, currency: 'usd', source_types: { card: 9680 } },
    ]);
  });

  it('takes a chargeback and the $15 fee at once, and gives the amount back when won', async () => {
    const stripe = await merchant();
    const pi = await pay(stripe, 5000, 'pm_card_createDispute');
    const [dispute] = (await stripe.disputes.list({ payment_intent: pi.id })).data;
    expect(dispute!.balance_transactions).toHaveLength(1);
    expect(dispute!.balance_transactions[0]).toMatchObject({
      amount: -5000,
      fee: 1500,
      net: -6500,
      reporting_category: 'dispute',
    });
    await stripe.disputes.update(dispute!.id, {
      evidence: { uncategorized_text: 'winning_evidence' },
    });
    const won = await until(async () => {
      const d = await stripe.disputes.retrieve(dispute!.id);
      return d.status === 'won' ? d : undefined;
    }, 'the dispute to be won');
    expect(won.balance_transactions.map((t) => t.reporting_category)).toEqual([
      'dispute',
      'dispute_reversal',
    ]);
    const list = await stripe.balanceTransactions.list({ source: dispute!.id });
    expect(list.data.map((t) => t.net)).toEqual([5000, -6500]);
  });
});

describe('refunds', () => {
  it('refunds partially then fully, by charge or PaymentIntent, and refuses more', async () => {
    const stripe = await merchant();
    const pi = await pay(stripe, 3000);
    const partial = await stripe.refunds.create({
      payment_intent: pi.id,
      amount: 1000,
      reason: 'requested_by_customer',
    });
    expect(partial).toMatchObject({
      amount: 1000,
      status: 'succeeded',
      charge: pi.latest_charge,
      payment_intent: pi.id,
    });
    let charge = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge).toMatchObject({ amount_refunded: 1000, refunded: false });
    await expect(stripe.refunds.create({ charge: charge.id, amount: 2001 })).rejects.toMatchObject({
      statusCode: 400,
      code: 'amount_too_large',
      param: 'amount',
    });
    const rest = await stripe.refunds.create({ charge: charge.id });
    expect(rest.amount).toBe(2000);
    charge = await stripe.charges.retrieve(charge.id);
    expect(charge).toMatchObject({ amount_refunded: 3000, refunded: true });
    await expect(stripe.refunds.create({ charge: charge.id })).rejects.toMatchObject({
      code: 'charge_already_refunded',
    });
    expect((await stripe.refunds.list({ charge: charge.id })).data.map((r) => r.amount)).toEqual([
      2000, 1000,
    ]);
    const txn = await stripe.balanceTransactions.retrieve(rest.balance_transaction as string);
    expect(txn).toMatchObject({ amount: -2000, type: 'refund', reporting_category: 'refund' });
    const types = (await stripe.events.list({ limit: 100 })).data.map((e) => e.type);
    expect(types.filter((t) => t === 'charge.refunded')).toHaveLength(2);
    expect(types.filter((t) => t === 'refund.created')).toHaveLength(2);
  });

  it('refuses to refund a charge with an open chargeback', async () => {
    const stripe = await merchant();
    const pi = await pay(stripe, 3000, 'pm_card_createDispute');
    await expect(stripe.refunds.create({ payment_intent: pi.id })).rejects.toMatchObject({
      code: 'charge_disputed',
    });
  });

  it('a refund of pm_card_refundFail fails afterwards and the money comes back', async () => {
    const stripe = await merchant();
    const pi = await pay(stripe, 3000, 'pm_card_refundFail');
    const refund = await stripe.refunds.create({ payment_intent: pi.id });
    const failed = await until(async () => {
      const r = await stripe.refunds.retrieve(refund.id);
      return r.status === 'failed' ? r : undefined;
    }, 'the refund to fail');
    expect(failed.failure_reason).toBe('expired_or_canceled_card');
    expect((await stripe.charges.retrieve(pi.latest_charge as string)).amount_refunded).toBe(0);
    const types = (await stripe.events.list({ limit: 100 })).data.map((e) => e.type);
    expect(types).toContain('charge.refund.updated');
    expect(types).toContain('refund.failed');
  });
});

describe('payouts', () => {
  it('pays out available funds only, then marks the payout paid', async () => {
    const stripe = await merchant();
    await pay(stripe, 10_000); // pending funds cannot be paid out
    await expect(stripe.payouts.create({ amount: 100, currency: 'usd' })).rejects.toMatchObject({
      statusCode: 400,
      code: 'balance_insufficient',
    });
    await pay(stripe, 10_000, 'pm_card_bypassPending');
    const payout = await stripe.payouts.create({
      amount: 5000,
      currency: 'usd',
      metadata: { batch: '7' },
    });
    expect(payout).toMatchObject({ status: 'pending', amount: 5000, metadata: { batch: '7' } });
    const paid = await until(async () => {
      const p = await stripe.payouts.retrieve(payout.id);
      return p.status === 'paid' ? p : undefined;
    }, 'the payout to be paid');
    expect(paid.balance_transaction).toBeTruthy();
    const balance = await stripe.balance.retrieve();
    expect(balance.available[0]!.amount).toBe(9680 - 5000);
    const types = (await stripe.events.list({ limit: 100 })).data.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['payout.created', 'payout.paid']));
  });

  it('cancels a pending payout and returns the funds', async () => {
    const stripe = await merchant();
    emu.emulator.state.settings.payoutDelayMs = 60_000;
    try {
      await pay(stripe, 10_000, 'pm_card_bypassPending');
      const payout = await stripe.payouts.create({ amount: 5000, currency: 'usd' });
      const canceled = await stripe.payouts.cancel(payout.id);
      expect(canceled.status).toBe('canceled');
      expect((await stripe.balance.retrieve()).available[0]!.amount).toBe(9680);
    } finally {
      emu.emulator.state.settings.payoutDelayMs = 20;
    }
  });
});

describe('reporting', () => {
  it('lists the report types with the range their data covers', async () => {
    const types = await platform.reporting.reportTypes.list();
    expect(types.data.map((t) => t.id)).toEqual(
      expect.arrayContaining([
        'balance.summary.1',
        'balance_change_from_activity.itemized.3',
        'payouts.itemized.3',
        'payout_reconciliation.itemized.5',
        'ending_balance_reconciliation.itemized.4',
      ]),
    );
    const t = await platform.reporting.reportTypes.retrieve('payouts.itemized.3');
    expect(t.data_available_start).toBeLessThan(t.data_available_end);
  });

  it('runs a report asynchronously into a CSV File downloadable with the same key only', async () => {
    const stripe = await merchant();
    const start = Math.floor(Date.now() / 1000) - 3600;
    await pay(stripe, 10_000, 'pm_card_bypassPending');
    await pay(stripe, 2_500);
    await stripe.refunds.create({ payment_intent: (await pay(stripe, 1000)).id });
    await stripe.payouts.create({ amount: 3000, currency: 'usd' });
    const type = await stripe.reporting.reportTypes.retrieve(
      'balance_change_from_activity.itemized.3',
    );
    // Emulated data is complete up to the last full hour; ask for the range that covers "now".
    const end = type.data_available_end;
    emu.emulator.state.settings.reportDelayMs = 20;
    const run = await stripe.reporting.reportRuns.create({
      report_type: type.id,
      parameters: { interval_start: Math.min(start, end - 3600), interval_end: end },
    });
    expect(run.status).toBe('pending');
    const done = await until(async () => {
      const r = await stripe.reporting.reportRuns.retrieve(run.id);
      return r.status === 'succeeded' ? r : undefined;
    }, 'the report run');
    const file = done.result!;
    expect(file).toMatchObject({ object: 'file', purpose: 'finance_report_run', type: 'csv' });
    expect(file.url).toBe(`${emu.emulator.url}/v1/files/${file.id}/contents`);
    // Anyone else's key (here: the platform without Stripe-Account) cannot see the file.
    const denied = await fetch(file.url!, {
      headers: { authorization: `Bearer ${DEFAULT_KEYS.test}` },
    });
    expect(denied.status).toBe(404);
    expect(
      (await stripe.events.list({ type: 'reporting.report_run.succeeded' })).data[0]!.data.object,
    ).toMatchObject({ id: run.id, status: 'succeeded' });
    expect(type.default_columns).toContain('balance_transaction_id');
  });

  it('builds CSV rows from the account data with Stripe columns, in major units', async () => {
    const stripe = await merchant();
    await pay(stripe, 10_000, 'pm_card_bypassPending');
    await stripe.payouts.create({ amount: 4000, currency: 'usd' });
    const end = (await stripe.reporting.reportTypes.retrieve('balance.summary.1'))
      .data_available_end;
    // Move every transaction into the reportable range (the emulator's data ends at the last full hour).
    const acct = [...emu.emulator.state.accounts.values()].at(-1)!;
    for (const t of emu.emulator.state.newestFirst(acct, 'balance_transaction'))
      t.created = end - 60;
    const csvOf = async (report_type: string, columns?: string[]) => {
      const run = await stripe.reporting.reportRuns.create({
        report_type,
        parameters: {
          interval_start: end - 86400,
          interval_end: end,
          ...(columns ? { columns } : {}),
        },
      });
      const done = await until(async () => {
        const r = await stripe.reporting.reportRuns.retrieve(run.id);
        return r.status === 'succeeded' ? r : undefined;
      }, report_type);
      const res = await fetch(done.result!.url!, {
        headers: { authorization: `Bearer ${DEFAULT_KEYS.test}`, 'stripe-account': acct.id },
      });
      expect(res.headers.get('content-type')).toBe('text/csv');
      return (await res.text()).trim().split('\n');
    };
    expect(await csvOf('balance.summary.1')).toEqual([
      'category,description,net_amount,currency',
      'starting_balance,Starting balance,0.00,usd',
      'activity,Activity,96.80,usd',
      'payouts,Payouts,-40.00,usd',
      'ending_balance,Ending balance,56.80,usd',
    ]);
    const activity = await csvOf('balance_change_from_activity.itemized.3', [
      'reporting_category',
      'gross',
      'fee',
      'net',
      'card_brand',
    ]);
    expect(activity).toEqual([
      'reporting_category,gross,fee,net,card_brand',
      'charge,100.00,3.20,96.80,visa',
    ]);
    const payouts = await csvOf('payouts.itemized.3', ['reporting_category', 'gross', 'currency']);
    expect(payouts).toEqual(['reporting_category,gross,currency', 'payout,40.00,usd']);
  });

  it('refuses intervals outside the data range and unknown columns', async () => {
    const t = await platform.reporting.reportTypes.retrieve('balance.summary.1');
    await expect(
      platform.reporting.reportRuns.create({
        report_type: 'balance.summary.1',
        parameters: {
          interval_start: t.data_available_start - 86400,
          interval_end: t.data_available_end,
        },
      }),
    ).rejects.toMatchObject({ statusCode: 400 });
    await expect(
      platform.reporting.reportRuns.create({
        report_type: 'payouts.itemized.3',
        parameters: {
          interval_start: t.data_available_start,
          interval_end: t.data_available_end,
          columns: ['nope'],
        },
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'parameters[columns]' });
    await expect(
      platform.reporting.reportRuns.create({ report_type: 'no.such.1', parameters: {} }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });
});
