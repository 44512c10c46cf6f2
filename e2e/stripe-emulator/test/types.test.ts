// The emulator's objects type-check against the `stripe` package's own types: one object of each
// kind, made through the API (and by the generator), is written out as a typed literal
// (`const x: Stripe.Charge = {…}`) and compiled with tsc. A field Stripe does not have, a missing
// required field or a wrong type fails the test with tsc's message.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { seedAccounts } from '../src/seed.ts';
import { useEmulator } from './support/emulator.ts';

const run = promisify(execFile);
const here = path.dirname(new URL(import.meta.url).pathname);
const emu = useEmulator({ settings: { reportDelayMs: 10 } });

async function samples(): Promise<Array<[string, string, unknown]>> {
  const stripe = emu.client();
  const acct = await stripe.accounts.create({ type: 'standard' });
  const o = { stripeAccount: acct.id };
  const customer = await stripe.customers.create({ email: 'types@example.com' }, o);
  await stripe.paymentIntents.create(
    { amount: 9000, currency: 'usd', payment_method: 'pm_card_bypassPending', confirm: true },
    o,
  );
  const payout = await stripe.payouts.create({ amount: 100, currency: 'usd' }, o);
  const pi = await stripe.paymentIntents.create(
    {
      amount: 5000,
      currency: 'usd',
      customer: customer.id,
      payment_method: 'pm_card_createDispute',
      confirm: true,
    },
    o,
  );
  const charge = await stripe.charges.retrieve(pi.latest_charge as string, {}, o);
  const dispute = (await stripe.disputes.list({ charge: charge.id }, o)).data[0]!;
  const ok = await stripe.paymentIntents.create(
    {
      amount: 5000,
      currency: 'usd',
      payment_method: 'pm_card_createIssuerFraudRecord',
      confirm: true,
    },
    o,
  );
  const refund = await stripe.refunds.create({ payment_intent: ok.id, amount: 100 }, o);
  const efw = (await stripe.radar.earlyFraudWarnings.list({}, o)).data[0]!;
  const txn = await stripe.balanceTransactions.retrieve(
    charge.balance_transaction as string,
    {},
    o,
  );
  const pm = await stripe.paymentMethods.retrieve(pi.payment_method as string, {}, o);
  const si = await stripe.setupIntents.create(
    { payment_method: 'pm_card_visa', confirm: true, customer: customer.id },
    o,
  );
  await stripe.invoiceItems.create({ customer: customer.id, amount: 700, currency: 'usd' }, o);
  const invoice = await stripe.invoices.create(
    { customer: customer.id, pending_invoice_items_behavior: 'include' },
    o,
  );
  const endpoint = await stripe.webhookEndpoints.create(
    { url: 'http://127.0.0.1:9/x', enabled_events: ['*'] },
    o,
  );
  const event = (await stripe.events.list({ type: 'charge.dispute.created' }, o)).data[0]!;
  const balance = await stripe.balance.retrieve({}, o);
  const reportType = await stripe.reporting.reportTypes.retrieve('balance.summary.1', {}, o);
  const seeded = seedAccounts(emu.emulator.state, emu.emulator.platformAccountId, {
    charges: 300,
    disputeRate: 0.2,
    seed: 9,
  });
  const seededAccount = emu.emulator.state.accounts.get(seeded.accounts[0]!.id)!;
  const first = (r: string) =>
    emu.emulator.state.newestFirst(seededAccount, r).next().value as unknown;
  const strip = (x: object) =>
    JSON.parse(
      JSON.stringify(x, (k, v: unknown) => (k === 'lastResponse' ? undefined : v)),
    ) as unknown;
  return [
    ['customer', 'Stripe.Customer', strip(customer)],
    ['payment_intent', 'Stripe.PaymentIntent', strip(pi)],
    ['charge', 'Stripe.Charge', strip(charge)],
    ['dispute', 'Stripe.Dispute', strip(dispute)],
    ['refund', 'Stripe.Refund', strip(refund)],
    ['payout', 'Stripe.Payout', strip(payout)],
    ['early_fraud_warning', 'Stripe.Radar.EarlyFraudWarning', strip(efw)],
    ['balance_transaction', 'Stripe.BalanceTransaction', strip(txn)],
    ['payment_method', 'Stripe.PaymentMethod', strip(pm)],
    ['setup_intent', 'Stripe.SetupIntent', strip(si)],
    ['invoice', 'Stripe.Invoice', strip(invoice)],
    ['webhook_endpoint', 'Stripe.WebhookEndpoint', strip(endpoint)],
    ['event', 'Stripe.Event', strip(event)],
    ['balance', 'Stripe.Balance', strip(balance)],
    ['report_type', 'Stripe.Reporting.ReportType', strip(reportType)],
    ['seeded_charge', 'Stripe.Charge', first('charge')],
    ['seeded_dispute', 'Stripe.Dispute', first('dispute')],
    ['seeded_payment_intent', 'Stripe.PaymentIntent', first('payment_intent')],
    ['seeded_payout', 'Stripe.Payout', first('payout')],
  ];
}

describe('objects against the stripe package types', () => {
  it('every kind compiles as its Stripe type', async () => {
    const dir = mkdtempSync(path.join(here, '.types-'));
    const lines = ["import type Stripe from 'stripe';", ''];
    for (const [name, type, value] of await samples()) {
      lines.push(`export const ${name}: ${type} = ${JSON.stringify(value, null, 2)};`, '');
    }
    writeFileSync(path.join(dir, 'objects.ts'), lines.join('\n'));
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          skipLibCheck: true,
          types: [],
        },
        files: ['objects.ts'],
      }),
    );
    const tsc = path.join(here, '../../../node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', dir])
      .then(
        () => '',
        (e: { stdout: string }) => e.stdout,
      )
      .finally(() => rmSync(dir, { recursive: true, force: true }));
    expect(result).toBe('');
  }, 60_000);
});
