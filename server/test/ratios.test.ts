// Network monitoring ratios from a generated history: Mastercard ECM over its threshold this month
// (chargebacks / last month's sales, with the minimum count met), Visa VAMP under its minimum
// count, Mastercard EFM by amount per currency (USD over with its USD 50,000 minimum met; EUR,
// whose minimum cannot be compared without a rate, only warned); one NETWORK.RATIO alert per
// program, month and level, never repeated; another tenant sees none of it.
import { describe, expect, it } from 'vitest';
import { sendRatioAlerts } from '../src/analytics/ratio-alerts.ts';
import { activateTenant } from '../src/connections/lifecycle/activate-tenant.ts';
import { createDestination } from '../src/notifications/destinations.ts';
import { appCall } from './support/app-client.ts';
import { APP_SECRETS } from './support/emulator.ts';
import { useStack } from './support/harness.ts';
import { stripeId } from './support/ids.ts';

const env = useStack({
  worker: false,
  env: () => ({ STRIPE_APP_SIGNING_SECRETS: APP_SECRETS.join(',') }),
});

async function tenant() {
  const account = stripeId('acct');
  const { tenant } = await activateTenant(
    { ...env.stack.enqueueDeps, prisma: env.stack.db.prisma, logger: env.stack.logger },
    { stripeAccountId: account, livemode: false, connectionType: 'oauth' },
  );
  return { id: tenant.id, who: { user: stripeId('usr'), account } };
}

describe('network ratios', () => {
  it('counts as the programs do, warns once per level, and stays with its tenant', async () => {
    const t = await tenant();
    const pool = env.stack.db.pool;
    const tag = stripeId('x');
    // Mastercard: 1,000 sales last month, 100 chargebacks this month → 10 %, minimum count met.
    await pool.query(
      `INSERT INTO charges (tenant_id, stripe_id, livemode, amount, amount_refunded, currency, status, paid,
                            captured, refunded, disputed, card_brand, stripe_created_at, raw, snapshot_at, snapshot_tiebreak)
       SELECT $1, 'ch_' || $2 || '_mc' || i, false, 1000, 0, 'USD', 'succeeded', true, true, false, false,
              'mastercard', date_trunc('month', now()) - interval '10 days', '{}', now(), 't'
         FROM generate_series(1, 1000) i`,
      [t.id, tag],
    );
    // Visa: 10 sales and 1 dispute this month → 10 %, far under VAMP's minimum count.
    await pool.query(
      `INSERT INTO charges (tenant_id, stripe_id, livemode, amount, amount_refunded, currency, status, paid,
                            captured, refunded, disputed, card_brand, stripe_created_at, raw, snapshot_at, snapshot_tiebreak)
       SELECT $1, 'ch_' || $2 || '_v' || i, false, 1000, 0, 'USD', 'succeeded', true, true, false, false,
              'visa', date_trunc('month', now()) + interval '1 minute', '{}', now(), 't'
         FROM generate_series(1, 10) i`,
      [t.id, tag],
    );
    await pool.query(
      `INSERT INTO disputes (tenant_id, stripe_id, livemode, charge_id, type, status, stripe_status, reason,
                             stripe_reason, card_brand, amount, currency, evidence_submissions, stripe_created_at,
                             raw, snapshot_at, snapshot_tiebreak)
       SELECT $1, 'du_' || $2 || '_' || i, false, 'ch_x', 'DISPUTE', 'OPEN', 'needs_response', 'GENERAL',
              'general', CASE WHEN i <= 100 THEN 'mastercard' ELSE 'visa' END, 1000, 'USD', 0,
              date_trunc('month', now()) + interval '2 minutes', '{}', now(), 't'
         FROM generate_series(1, 101) i`,
      [t.id, tag],
    );
    // Mastercard this month: USD 200,000 of sales, USD 60,000 of it reported as fraud (30 %);
    // EUR 1,000 of sales with EUR 100 reported.
    await pool.query(
      `INSERT INTO charges (tenant_id, stripe_id, livemode, amount, amount_refunded, currency, status, paid,
                            captured, refunded, disputed, card_brand, stripe_created_at, raw, snapshot_at, snapshot_tiebreak)
       SELECT $1, 'ch_' || $2 || '_efm' || i, false, CASE WHEN i <= 200 THEN 100000 ELSE 10000 END,
              0, CASE WHEN i <= 200 THEN 'USD' ELSE 'EUR' END, 'succeeded', true, true, false, false,
              'mastercard', date_trunc('month', now()) + interval '1 minute', '{}', now(), 't'
         FROM generate_series(1, 210) i`,
      [t.id, tag],
    );
    await pool.query(
      `INSERT INTO early_fraud_warnings (tenant_id, stripe_id, livemode, charge_id, fraud_type, actionable,
                                         stripe_created_at, raw, snapshot_at, snapshot_tiebreak)
       SELECT $1, 'issfr_' || $2 || '_' || i, false, 'ch_' || $2 || '_efm' || i, 'made_with_stolen_card', true,
              date_trunc('month', now()) + interval '3 minutes', '{}', now(), 't'
         FROM generate_series(1, 201) i WHERE i <= 60 OR i = 201`,
      [t.id, tag],
    );
    const month = new Date().toISOString().slice(0, 7);
    const res = await appCall<{ data: Array<Record<string, unknown>>; partial: boolean }>(
      env.stack.api.url,
      'GET',
      '/app/v1/analytics/ratios',
      t.who,
    );
    expect(res.status).toBe(200);
    expect(res.body.partial).toBe(true); // no history import has finished for this tenant
    const mc = res.body.data.find((r) => r.key === 'mastercard-ecm' && r.month === month)!;
    expect(mc).toMatchObject({
      numerator: 100,
      denominator: 1000,
      ratio: 0.1,
      threshold: 0.015,
      level: 'over',
    });
    const visa = res.body.data.find((r) => r.key === 'visa-vamp' && r.month === month)!;
    expect(visa).toMatchObject({
      numerator: 1,
      denominator: 10,
      ratio: 0.1,
      minimumCount: 1500,
      level: 'ok',
    });
    const efm = (currency: string) =>
      res.body.data.find((r) => r.key === `mastercard-efm-${currency}` && r.month === month);
    expect(efm('USD')).toMatchObject({
      unit: 'amount',
      currency: 'USD',
      numerator: 6_000_000,
      denominator: 20_000_000,
      ratio: 0.3,
      threshold: 0.005,
      minimumCount: 5_000_000,
      level: 'over',
    });
    expect(efm('EUR')).toMatchObject({
      numerator: 10_000,
      denominator: 100_000,
      ratio: 0.1,
      minimumCount: null,
      level: 'warning',
    });

    await createDestination(
      { prisma: env.stack.db.prisma, keyring: env.stack.keyring, allowPrivateAddresses: true },
      t.id,
      'https://hooks.invalid/ratios',
    );
    const deps = { pool, queues: env.stack.queues, logger: env.stack.logger };
    await sendRatioAlerts(deps);
    await sendRatioAlerts(deps);
    const alerts = await pool.query<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM notifications WHERE tenant_id = $1 AND payload->>'eventType' = 'NETWORK.RATIO'`,
      [t.id],
    );
    const byProgram = Object.fromEntries(
      alerts.rows.map((a) => [
        `${String(a.payload.program)} ${String(a.payload.currency)}`,
        a.payload,
      ]),
    );
    expect(Object.keys(byProgram).sort()).toEqual([
      'ECM (excessive chargeback merchant) null',
      'EFM (excessive fraud merchant) EUR',
      'EFM (excessive fraud merchant) USD',
    ]);
    expect(byProgram['ECM (excessive chargeback merchant) null']).toMatchObject({
      network: 'mastercard',
      month,
      level: 'over',
      count: 100,
    });
    expect(byProgram['EFM (excessive fraud merchant) USD']).toMatchObject({
      unit: 'amount',
      level: 'over',
      count: 6_000_000,
    });
    expect(byProgram['EFM (excessive fraud merchant) EUR']).toMatchObject({ level: 'warning' });

    const other = await tenant();
    const theirs = await appCall<{ data: Array<{ numerator: number }> }>(
      env.stack.api.url,
      'GET',
      '/app/v1/analytics/ratios',
      other.who,
    );
    expect(theirs.body.data.every((r) => r.numerator === 0)).toBe(true);
  });
});
