// The data generator: seeded histories look like API-made objects, hang together (every charge's
// balance transaction, refund and dispute point at real objects), and page correctly through
// stripe-node's auto-pagination; the seed command works against a running emulator.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type Stripe from 'stripe';
import { beforeAll, describe, expect, it } from 'vitest';
import { useEmulator } from './support/emulator.ts';
import { seedAccounts } from '../src/seed.ts';
import type { StoredObject } from '../src/state.ts';

const run = promisify(execFile);
const emu = useEmulator();
let stripe: Stripe;
beforeAll(() => {
  stripe = emu.client();
});

const keys = (o: object) => Object.keys(o).sort();

describe('seedAccounts', () => {
  it('makes objects with the same fields as the API makes', async () => {
    const summary = seedAccounts(emu.emulator.state, emu.emulator.platformAccountId, {
      charges: 3000,
      disputeRate: 0.05,
      seed: 1,
    });
    const accountId = summary.accounts[0]!.id;
    const account = emu.emulator.state.accounts.get(accountId)!;
    const seeded = (resource: string) =>
      emu.emulator.state.newestFirst(account, resource).next().value as StoredObject;
    // Reference objects made through the API on a fresh connected account.
    const live = await stripe.accounts.create({ type: 'standard' });
    const opts = { stripeAccount: live.id };
    const customer = await stripe.customers.create({ email: 'a@example.com' }, opts);
    await stripe.paymentIntents.create(
      { amount: 5000, currency: 'usd', payment_method: 'pm_card_bypassPending', confirm: true },
      opts,
    );
    await stripe.payouts.create({ amount: 100, currency: 'usd' }, opts);
    const pi = await stripe.paymentIntents.create(
      {
        amount: 5000,
        currency: 'usd',
        customer: customer.id,
        payment_method: 'pm_card_createDispute',
        confirm: true,
      },
      opts,
    );
    const charge = await stripe.charges.retrieve(pi.latest_charge as string, {}, opts);
    const dispute = (await stripe.disputes.list({ charge: charge.id }, opts)).data[0]!;
    const ok = await stripe.paymentIntents.create(
      { amount: 5000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true },
      opts,
    );
    const refund = await stripe.refunds.create({ payment_intent: ok.id }, opts);
    const payout = (await stripe.payouts.list({}, opts)).data[0]!;
    const txn = await stripe.balanceTransactions.retrieve(
      charge.balance_transaction as string,
      {},
      opts,
    );
    expect(keys(seeded('customer'))).toEqual(keys(customer));
    expect(keys(seeded('payment_intent'))).toEqual(keys(pi));
    expect(keys(seeded('charge'))).toEqual(keys(charge));
    expect(keys(seeded('dispute'))).toEqual(keys(dispute));
    expect(keys(seeded('refund'))).toEqual(keys(refund));
    expect(keys(seeded('payout'))).toEqual(keys(payout));
    expect(keys(seeded('balance_transaction'))).toEqual(keys(txn));
  });

  it('builds a consistent, varied two-year history', () => {
    const summary = seedAccounts(emu.emulator.state, emu.emulator.platformAccountId, {
      charges: 5000,
      disputeRate: 0.04,
      refundRate: 0.05,
      seed: 2,
    });
    const account = emu.emulator.state.accounts.get(summary.accounts[0]!.id)!;
    const all = (r: string) => [...emu.emulator.state.newestFirst(account, r)];
    const charges = all('charge');
    const disputes = all('dispute');
    const refunds = all('refund');
    expect(charges).toHaveLength(5000);
    expect(disputes.length).toBeGreaterThan(100);
    expect(refunds.length).toBeGreaterThan(150);
    expect(summary.objects.payout).toBeGreaterThan(90); // weekly, over two years
    const span = charges[0]!.created - charges.at(-1)!.created;
    expect(span).toBeGreaterThan(700 * 86400);
    expect(new Set(disputes.map((d) => d.reason)).size).toBeGreaterThanOrEqual(5);
    expect(new Set(disputes.map((d) => d.status)).size).toBeGreaterThanOrEqual(5);
    expect(
      new Set(
        charges.map((c) => (c.payment_method_details as { card: { brand: string } }).card.brand),
      ).size,
    ).toBe(4);
    for (const d of disputes) {
      const c = emu.emulator.state.get(account, 'charge', d.charge as string)!;
      expect(c.disputed).toBe(true);
      expect(d.created).toBeGreaterThan(c.created);
      expect(d.network_reason_code).toBeTruthy();
    }
    for (const r of refunds) {
      const c = emu.emulator.state.get(account, 'charge', r.charge as string)!;
      expect(c.amount_refunded).toBe(r.amount);
      expect(
        emu.emulator.state.get(account, 'balance_transaction', r.balance_transaction as string),
      ).toBeDefined();
    }
    // Creation order is time order, for every resource.
    for (const r of ['charge', 'dispute', 'refund', 'payout', 'balance_transaction']) {
      const created = all(r).map((o: StoredObject) => o.created);
      expect(created).toEqual([...created].sort((a, b) => b - a));
    }
  });

  it('gives part of the merchants subscription histories: renewals invoiced, some canceled', async () => {
    const many = seedAccounts(emu.emulator.state, emu.emulator.platformAccountId, {
      accounts: 8,
      charges: 300,
      seed: 5,
    });
    const withSubs = many.accounts.filter(
      (a) => (emu.emulator.state.accounts.get(a.id)!.order.get('subscription')?.length ?? 0) > 0,
    );
    expect(withSubs.length).toBeGreaterThan(0);
    expect(withSubs.length).toBeLessThan(8);

    const summary = seedAccounts(emu.emulator.state, emu.emulator.platformAccountId, {
      charges: 3000,
      subscriptionShare: 0.5,
      seed: 6,
    });
    const accountId = summary.accounts[0]!.id;
    const account = emu.emulator.state.accounts.get(accountId)!;
    const all = (r: string) => [...emu.emulator.state.newestFirst(account, r)];
    const subs = all('subscription');
    const invoices = all('invoice');
    expect(subs.length).toBeGreaterThan(100);
    expect(invoices.length).toBeGreaterThan(subs.length);
    for (const i of invoices) {
      const subId = (i.parent as { subscription_details: { subscription: string } })
        .subscription_details.subscription;
      const sub = emu.emulator.state.get(account, 'subscription', subId)!;
      expect(sub.customer).toBe(i.customer);
      const pi = (i.payments as { data: Array<{ payment: { payment_intent: string } }> }).data[0]!
        .payment.payment_intent;
      expect(emu.emulator.state.get(account, 'payment_intent', pi)!.amount).toBe(i.amount_due);
      expect(i.period_end).toBe(Number(i.period_start) + 30 * 86400);
    }
    const canceled = subs.filter((x) => x.status === 'canceled');
    expect(canceled.length).toBeGreaterThan(0);
    for (const c of canceled) {
      expect(c.canceled_at).toBeGreaterThan(c.created);
      expect((c.cancellation_details as { feedback: string }).feedback).toBeTruthy();
    }
    // Shaped like API-made ones, and listed like them (canceled only with status=all).
    const live = await stripe.accounts.create({ type: 'standard' });
    const opts = { stripeAccount: live.id };
    const customer = await stripe.customers.create(
      {
        payment_method: 'pm_card_visa',
        invoice_settings: { default_payment_method: 'pm_card_visa' },
      },
      opts,
    );
    const product = await stripe.products.create({ name: 'Box' }, opts);
    const price = await stripe.prices.create(
      { product: product.id, unit_amount: 2900, currency: 'usd', recurring: { interval: 'month' } },
      opts,
    );
    const made = await stripe.subscriptions.create(
      { customer: customer.id, items: [{ price: price.id }] },
      opts,
    );
    const invoice = await stripe.invoices.retrieve(made.latest_invoice as string, {}, opts);
    expect(keys(subs[0]!)).toEqual(keys(made));
    expect(keys(invoices[0]!)).toEqual(keys(invoice));
    const listed = [];
    for await (const x of stripe.subscriptions.list(
      { status: 'all', limit: 100 },
      { stripeAccount: accountId },
    ))
      listed.push(x.id);
    expect(listed).toHaveLength(subs.length);
    const notCanceled = await stripe.subscriptions.list(
      { limit: 100 },
      { stripeAccount: accountId },
    );
    expect(notCanceled.data.every((x) => x.status !== 'canceled')).toBe(true);
  });

  it('counts work carried from one window call into the next in the call that does it', () => {
    const account = emu.emulator.state.createAccount(emu.emulator.platformAccountId);
    const end = Math.floor(Date.now() / 1000) - 3600;
    const start = end - 730 * 86400;
    const totals: Record<string, number> = {};
    for (let w = 0; w < 3; w++) {
      const s = seedAccounts(emu.emulator.state, emu.emulator.platformAccountId, {
        account: account.id,
        charges: 2000,
        disputeRate: 0.05,
        from: start + Math.floor(((end - start) * w) / 3),
        to: start + Math.floor(((end - start) * (w + 1)) / 3),
        end,
        seed: 30 + w,
      });
      for (const [k, v] of Object.entries(s.objects)) totals[k] = (totals[k] ?? 0) + v;
    }
    for (const [k, v] of Object.entries(totals)) expect(account.order.get(k)?.length, k).toBe(v);
  });

  it('the same seed gives the same data', () => {
    const a = seedAccounts(emu.emulator.state, emu.emulator.platformAccountId, {
      charges: 200,
      seed: 42,
    });
    const b = seedAccounts(emu.emulator.state, emu.emulator.platformAccountId, {
      charges: 200,
      seed: 42,
    });
    const ids = (id: string) =>
      [...emu.emulator.state.newestFirst(emu.emulator.state.accounts.get(id)!, 'charge')].map(
        (c) => c.amount,
      );
    expect(ids(a.accounts[0]!.id)).toEqual(ids(b.accounts[0]!.id));
  });
});

describe('listing seeded data', () => {
  it('auto-paginates every object once, newest first, with created filters', async () => {
    const summary = seedAccounts(emu.emulator.state, emu.emulator.platformAccountId, {
      charges: 2500,
      seed: 3,
    });
    const stripeAccount = summary.accounts[0]!.id;
    const seen: Stripe.Charge[] = [];
    for await (const c of stripe.charges.list({ limit: 100 }, { stripeAccount })) seen.push(c);
    expect(seen).toHaveLength(2500);
    expect(new Set(seen.map((c) => c.id)).size).toBe(2500);
    const created = seen.map((c) => c.created);
    expect(created).toEqual([...created].sort((a, b) => b - a));
    const cut = created[1250]!;
    const older: string[] = [];
    for await (const c of stripe.charges.list(
      { limit: 100, created: { lte: cut } },
      { stripeAccount },
    ))
      older.push(c.id);
    expect(older.length).toBe(seen.filter((c) => c.created <= cut).length);
    // Paging backwards from the oldest object with ending_before walks the same list.
    const page = await stripe.charges.list(
      { limit: 3, ending_before: seen[10]!.id },
      { stripeAccount },
    );
    expect(page.data.map((c) => c.id)).toEqual(seen.slice(7, 10).map((c) => c.id));
    expect(page.has_more).toBe(true);
  });
});

describe('npm run emulator:seed', () => {
  it('seeds a running emulator with progress and a summary', async () => {
    const { stdout } = await run(
      'npx',
      [
        'tsx',
        'scripts/seed.ts',
        '--accounts',
        '2',
        '--charges',
        '15000',
        '--seed',
        '5',
        '--url',
        emu.emulator.url,
      ],
      { cwd: new URL('..', import.meta.url).pathname, timeout: 60_000 },
    );
    expect(stdout).toMatch(/account 1\/2 acct_\w+: 10,000\/15,000 charges/);
    expect(stdout).toMatch(/Seeded 2 account\(s\)/);
    expect(stdout).toMatch(/charge\s+30,000/);
    expect(stdout).toMatch(/rate: [\d,]+ objects\/s generated/);
  });

  it('explains when no emulator is running', async () => {
    const err = await run('npx', ['tsx', 'scripts/seed.ts', '--url', 'http://127.0.0.1:9'], {
      cwd: new URL('..', import.meta.url).pathname,
    }).catch((e: { stderr: string; code: number }) => e);
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toContain('No emulator at http://127.0.0.1:9');
  });
});
