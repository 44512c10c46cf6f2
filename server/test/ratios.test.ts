// Network monitoring ratios from a generated history: Mastercard ECM over its threshold this month
// (chargebacks / last month's sales, with the minimum count met), Visa VAMP under its minimum
// count; one NETWORK.RATIO alert per network, month and level, never repeated; another tenant
// sees none of it.
import { describe, expect, it } from 'vitest';
import { sendRatioAlerts } from '../src/analytics/ratio-alerts.ts';
import { activateTenant } from '../src/connections/activate-tenant.ts';
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
    const month = new Date().toISOString().slice(0, 7);
    const res = await appCall<{ data: Array<Record<string, unknown>> }>(
      env.stack.api.url,
      'GET',
      '/app/v1/analytics/ratios',
      t.who,
    );
    expect(res.status).toBe(200);
    const mc = res.body.data.find((r) => r.network === 'mastercard' && r.month === month)!;
    expect(mc).toMatchObject({
      numerator: 100,
      denominator: 1000,
      ratio: 0.1,
      threshold: 0.015,
      level: 'over',
    });
    const visa = res.body.data.find((r) => r.network === 'visa' && r.month === month)!;
    expect(visa).toMatchObject({
      numerator: 1,
      denominator: 10,
      ratio: 0.1,
      minimumCount: 1500,
      level: 'ok',
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
    expect(alerts.rows).toHaveLength(1);
    expect(alerts.rows[0]!.payload).toMatchObject({
      network: 'mastercard',
      month,
      level: 'over',
      count: 100,
    });

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
