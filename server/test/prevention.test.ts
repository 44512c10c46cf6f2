// The early-fraud-warning rule against the emulator: off by default, dry run records what it
// would refund and refunds nothing, live it refunds once (a rerun or replay never refunds twice),
// over the limit or on a disputed payment it skips with the reason; results counted; another
// tenant sees none of it.
import { describe, expect, it } from 'vitest';
import { TenantClients } from '../src/connections/credentials/tenant-clients.ts';
import { applyPrevention } from '../src/prevention/apply-prevention.ts';
import { appCall } from './support/app-client.ts';
import { connectedKeyMerchant, FULL_KEY_PERMISSIONS, platformClient } from './support/emulator.ts';
import { useEmulatedStack } from './support/harness.ts';
import { stripeId } from './support/ids.ts';
import { waitFor } from './support/poll.ts';

const { emu, env } = useEmulatedStack({ STRIPE_RATE_LIMIT_TEST: '0' });
const platform = () => platformClient(emu);
const merchant = () =>
  connectedKeyMerchant(emu, env.stack.api.url, { ...FULL_KEY_PERMISSIONS, refund: 'write' });

async function flagged(account: string, amount: number, card = 'pm_card_createIssuerFraudRecord') {
  const pi = await platform().paymentIntents.create(
    { amount, currency: 'usd', payment_method: card, confirm: true },
    { stripeAccount: account },
  );
  return pi.latest_charge as string;
}

const actionFor = (tenantId: string, chargeId: string) =>
  waitFor(
    async () =>
      (
        await env.stack.db.pool.query<{
          outcome: string;
          reason: string | null;
          refund_id: string | null;
        }>(
          `SELECT outcome, reason, refund_id FROM prevention_actions WHERE tenant_id = $1 AND charge_id = $2
              AND outcome <> 'pending'`,
          [tenantId, chargeId],
        )
      ).rows[0] ?? null,
    { what: `the rule's outcome for ${chargeId}` },
  );

const deps = () => ({
  pool: env.stack.db.pool,
  clients: new TenantClients({
    prisma: env.stack.db.prisma,
    keyring: env.stack.keyring,
    stripe: env.stack.config.stripe,
    logger: env.stack.logger,
  }),
  logger: env.stack.logger,
});

describe('refunds ahead of disputes on early fraud warnings', () => {
  it('dry run first, then refunds once within the limit; skips what it must not touch', async () => {
    const m = await merchant();
    const initial = await appCall<{ rule: { enabled: boolean; dryRun: boolean } }>(
      env.stack.api.url,
      'GET',
      '/app/v1/prevention',
      m.who,
    );
    expect(initial.body.rule, JSON.stringify(initial.body)).toMatchObject({
      enabled: false,
      dryRun: true,
    });
    const on = await appCall(env.stack.api.url, 'POST', '/app/v1/prevention', m.who, {
      body: { enabled: true, maxAmount: 10000, currency: 'usd', withinHours: 24 },
    });
    expect(on.body).toMatchObject({
      enabled: true,
      dryRun: true,
      maxAmount: 10000,
      currency: 'USD',
    });

    const dry = await flagged(m.account, 5000);
    expect(await actionFor(m.tenantId, dry)).toMatchObject({
      outcome: 'would_refund',
      refund_id: null,
    });
    expect(
      (await platform().charges.retrieve(dry, {}, { stripeAccount: m.account })).amount_refunded,
    ).toBe(0);

    await appCall(env.stack.api.url, 'POST', '/app/v1/prevention', m.who, {
      body: { dryRun: false },
    });
    const live = await flagged(m.account, 5000);
    const done = await actionFor(m.tenantId, live);
    expect(done).toMatchObject({ outcome: 'refunded' });
    expect(done.refund_id).toMatch(/^re_/);
    // Run again for the same warning (a retried job, a replayed event): no second refund.
    const { rows } = await env.stack.db.pool.query<{ stripe_id: string }>(
      'SELECT stripe_id FROM early_fraud_warnings WHERE tenant_id = $1 AND charge_id = $2',
      [m.tenantId, live],
    );
    expect(await applyPrevention(deps(), m.tenantId, rows[0]!.stripe_id)).toEqual({
      outcome: 'already_handled',
    });
    const refunds = await platform().refunds.list({ charge: live }, { stripeAccount: m.account });
    expect(refunds.data).toHaveLength(1);

    const big = await flagged(m.account, 20000);
    expect(await actionFor(m.tenantId, big)).toMatchObject({
      outcome: 'skipped',
      reason: "the amount is over the rule's 10000 USD",
    });

    // A disputed payment is never refunded by the rule.
    const disputed = await flagged(m.account, 3000, 'pm_card_createDispute');
    await waitFor(async () =>
      (
        await env.stack.db.pool.query(
          'SELECT 1 FROM disputes WHERE tenant_id = $1 AND charge_id = $2',
          [m.tenantId, disputed],
        )
      ).rowCount
        ? true
        : null,
    );
    const warning = stripeId('issfr');
    await env.stack.db.pool.query(
      `INSERT INTO early_fraud_warnings (tenant_id, stripe_id, livemode, charge_id, fraud_type, actionable,
                                         stripe_created_at, raw, snapshot_at, snapshot_tiebreak)
       VALUES ($1, $2, false, $3, 'made_with_stolen_card', true, now(), '{}', now(), 't')`,
      [m.tenantId, warning, disputed],
    );
    expect(await applyPrevention(deps(), m.tenantId, warning)).toEqual({
      outcome: 'skipped',
      reason: 'the payment is already disputed',
    });

    const results = await appCall<{ results: { totals: Array<Record<string, unknown>> } }>(
      env.stack.api.url,
      'GET',
      '/app/v1/prevention',
      m.who,
    );
    expect(results.body.results.totals).toEqual(
      expect.arrayContaining([
        {
          outcome: 'refunded',
          currency: 'USD',
          count: 1,
          amount: 5000,
          disputesAvoided: 1,
          feesSavedEstimate: 1500,
        },
        {
          outcome: 'would_refund',
          currency: 'USD',
          count: 1,
          amount: 5000,
          disputesAvoided: 0,
          feesSavedEstimate: 0,
        },
      ]),
    );
    // Another tenant sees its own (default) rule and nothing of these results.
    const other = await merchant();
    const theirs = await appCall<{ rule: { enabled: boolean }; results: { totals: unknown[] } }>(
      env.stack.api.url,
      'GET',
      '/app/v1/prevention',
      other.who,
    );
    expect(theirs.body).toMatchObject({ rule: { enabled: false }, results: { totals: [] } });
  });
});
