// Outcomes and money from a generated history, checked against figures computed by hand: two
// currencies (never summed together), won / lost / accepted / open, fees withdrawn and refunded,
// a counter fee, a dispute outside the period; win rates by reason and amount band; "partial"
// until the history import finished; the CSV export (quoting, formula cells neutralized); and
// another tenant sees none of it.
import { describe, expect, it } from 'vitest';
import { activateTenant } from '../src/connections/lifecycle/activate-tenant.ts';
import { appCall } from './support/app-client.ts';
import { ADMIN_TOKEN, APP_SECRETS, signedAppHeaders } from './support/emulator.ts';
import { adminCall } from './support/admin-client.ts';
import { useStack } from './support/harness.ts';
import { stripeId } from './support/ids.ts';

const env = useStack({
  worker: false,
  env: () => ({ STRIPE_APP_SIGNING_SECRETS: APP_SECRETS.join(','), ADMIN_API_TOKENS: ADMIN_TOKEN }),
});
const DAY = 86400_000;

async function tenant() {
  const account = stripeId('acct');
  const { tenant } = await activateTenant(
    { ...env.stack.enqueueDeps, prisma: env.stack.db.prisma, logger: env.stack.logger },
    { stripeAccountId: account, livemode: false, connectionType: 'oauth' },
  );
  return { id: tenant.id, who: { user: stripeId('usr'), account } };
}

async function dispute(
  tenantId: string,
  d: {
    status: string;
    amount: number;
    currency: string;
    reason: string;
    daysAgo: number;
    orderId?: string;
  },
) {
  const id = stripeId('du');
  await env.stack.db.pool.query(
    `INSERT INTO disputes (tenant_id, stripe_id, livemode, charge_id, transaction_id, order_id, type, status,
                           stripe_status, reason, network_reason_code, stripe_reason, card_brand, case_type,
                           amount, currency, challenge_required_by, evidence_submissions, stripe_created_at,
                           raw, snapshot_at, snapshot_tiebreak)
     VALUES ($1, $2, false, $3, $3, $4, 'DISPUTE', $5, 'x', $6, '10.4', 'fraudulent', 'visa', 'chargeback',
             $7, $8, NULL, 1, now() - make_interval(days => $9), '{}', now(), 't')`,
    [
      tenantId,
      id,
      stripeId('ch'),
      d.orderId ?? null,
      d.status,
      d.reason,
      d.amount,
      d.currency,
      d.daysAgo,
    ],
  );
  return id;
}

async function booked(
  tenantId: string,
  source: string,
  category: string,
  amount: number,
  fee: number,
  currency: string,
  daysAgo = 0,
) {
  await env.stack.db.pool.query(
    `INSERT INTO balance_transactions (tenant_id, stripe_id, livemode, amount, fee, net, currency, type,
                                       reporting_category, source_id, status, stripe_created_at, raw,
                                       snapshot_at, snapshot_tiebreak)
     VALUES ($1, $2, false, $3::bigint, $4::bigint, $3::bigint - $4::bigint, $5, 'adjustment', $6, $7, 'available',
             now() - make_interval(days => $8), '{}', now(), 't')`,
    [tenantId, stripeId('txn'), amount, fee, currency, category, source, daysAgo],
  );
}

describe('outcomes and money', () => {
  it('per currency, by outcome, with the fee ledger and win rates, as computed by hand', async () => {
    const t = await tenant();
    const wonBig = await dispute(t.id, {
      status: 'WON',
      amount: 10000,
      currency: 'USD',
      reason: 'FRAUD',
      daysAgo: 10,
    });
    const wonSmall = await dispute(t.id, {
      status: 'WON',
      amount: 5000,
      currency: 'USD',
      reason: 'FRAUD',
      daysAgo: 11,
    });
    const lost = await dispute(t.id, {
      status: 'LOST',
      amount: 20000,
      currency: 'USD',
      reason: 'FRAUD',
      daysAgo: 12,
    });
    await dispute(t.id, {
      status: 'ACCEPTED',
      amount: 3000,
      currency: 'USD',
      reason: 'GENERAL',
      daysAgo: 13,
    });
    await dispute(t.id, {
      status: 'OPEN',
      amount: 7000,
      currency: 'USD',
      reason: 'DUPLICATE',
      daysAgo: 1,
      orderId: '=HYPERLINK("x")',
    });
    const eurWon = await dispute(t.id, {
      status: 'WON',
      amount: 4000,
      currency: 'EUR',
      reason: 'PRODUCT_NOT_RECEIVED',
      daysAgo: 20,
    });
    await dispute(t.id, {
      status: 'LOST',
      amount: 4000,
      currency: 'EUR',
      reason: 'PRODUCT_NOT_RECEIVED',
      daysAgo: 21,
      orderId: 'A,"B"',
    });
    const old = await dispute(t.id, {
      status: 'LOST',
      amount: 99900,
      currency: 'USD',
      reason: 'FRAUD',
      daysAgo: 200,
    });
    await booked(t.id, wonBig, 'dispute', -10000, 1500, 'usd');
    await booked(t.id, wonBig, 'dispute_reversal', 10000, 0, 'usd');
    await booked(t.id, wonSmall, 'dispute', -5000, 1500, 'usd');
    await booked(t.id, wonSmall, 'dispute_reversal', 5000, -1500, 'usd'); // the fee refunded
    await booked(t.id, lost, 'dispute', -20000, 1500, 'usd');
    await booked(t.id, lost, 'fee', -1500, 0, 'usd'); // the counter fee for contesting
    await booked(t.id, eurWon, 'dispute', -4000, 1500, 'eur');
    await booked(t.id, eurWon, 'dispute_reversal', 4000, 0, 'eur');
    await booked(t.id, old, 'dispute', -99900, 1500, 'usd', 200); // booked before the period

    const res = await appCall<Record<string, unknown>>(
      env.stack.api.url,
      'GET',
      '/app/v1/analytics/outcomes',
      t.who,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      partial: true, // no history import has finished for this tenant
      currencies: [
        {
          currency: 'EUR',
          disputed: { count: 2, amount: 8000 },
          won: { count: 1, amount: 4000 },
          lost: { count: 1, amount: 4000 },
          ledger: {
            withdrawn: 4000,
            reinstated: 4000,
            disputeFees: 1500,
            otherFees: 0,
            netRecovered: 2500,
            netCost: 1500,
          },
        },
        {
          currency: 'USD',
          disputed: { count: 5, amount: 45000 },
          open: { count: 1, amount: 7000 },
          won: { count: 2, amount: 15000 },
          lost: { count: 1, amount: 20000 },
          accepted: { count: 1, amount: 3000 },
          ledger: {
            withdrawn: 35000,
            reinstated: 15000,
            disputeFees: 3000,
            otherFees: 1500,
            netRecovered: 10500,
            netCost: 24500,
          },
        },
      ],
    });
    const rates = res.body.winRates as Record<
      string,
      Array<{ key: string; won: number; lost: number; rate: number }>
    >;
    expect(rates.reason).toEqual([
      { key: 'FRAUD', won: 2, lost: 1, rate: 0.667 },
      { key: 'PRODUCT_NOT_RECEIVED', won: 1, lost: 1, rate: 0.5 },
    ]);
    expect(rates.amountBand).toEqual([
      { key: '200–1,000', won: 0, lost: 1, rate: 0 },
      { key: '50–200', won: 2, lost: 0, rate: 1 },
      { key: 'under 50', won: 1, lost: 1, rate: 0.5 },
    ]);

    // Once the history import has finished, the figures are final.
    await env.stack.db.pool.query(
      `INSERT INTO backfill_runs (id, tenant_id, reason, status, finished_at) VALUES (gen_random_uuid(), $1, 'initial', 'succeeded', now())`,
      [t.id],
    );
    const final = await adminCall<{ partial: boolean }>(
      env.stack.api.url,
      'GET',
      `tenants/${t.id}/analytics/outcomes`,
    );
    expect(final.body.partial).toBe(false);
    // A wider period takes in the old dispute.
    const wide = await appCall<{
      currencies: Array<{ currency: string; disputed: { count: number } }>;
    }>(env.stack.api.url, 'GET', '/app/v1/analytics/outcomes', t.who, {
      query: { from: new Date(Date.now() - 365 * DAY).toISOString() },
    });
    expect(wide.body.currencies.find((c) => c.currency === 'USD')!.disputed.count).toBe(6);
    const bad = await appCall(env.stack.api.url, 'GET', '/app/v1/analytics/outcomes', t.who, {
      query: { from: '2020-01-01T00:00:00Z', to: '2019-01-01T00:00:00Z' },
    });
    expect(bad.status).toBe(400);
  });

  it('follows a dispute won then reversed, and leaves refunds of payments out of the ledger', async () => {
    const t = await tenant();
    const id = await dispute(t.id, {
      status: 'WON',
      amount: 5000,
      currency: 'GBP',
      reason: 'FRAUD',
      daysAgo: 40,
    });
    await booked(t.id, id, 'dispute', -5000, 1500, 'gbp', 40);
    await booked(t.id, id, 'dispute_reversal', 5000, -1500, 'gbp', 20);
    const outcomes = async () =>
      (
        await appCall<{
          currencies: Array<{
            currency: string;
            won: { count: number };
            lost: { count: number };
            ledger: Record<string, number>;
          }>;
          winRates: { reason: unknown[] };
        }>(env.stack.api.url, 'GET', '/app/v1/analytics/outcomes', t.who)
      ).body;
    expect((await outcomes()).currencies).toMatchObject([
      {
        currency: 'GBP',
        won: { count: 1 },
        ledger: { withdrawn: 5000, reinstated: 5000, disputeFees: 0, netRecovered: 5000 },
      },
    ]);
    // Pre-arbitration reverses the win: the money is withdrawn again, with a new fee.
    await env.stack.db.pool.query(
      `UPDATE disputes SET status = 'LOST' WHERE tenant_id = $1 AND stripe_id = $2`,
      [t.id, id],
    );
    await booked(t.id, id, 'dispute', -5000, 1500, 'gbp', 2);
    // A partial refund of some payment is not dispute money.
    await booked(t.id, stripeId('re'), 'refund', -1200, 0, 'gbp', 1);
    const after = await outcomes();
    expect(after.currencies).toMatchObject([
      {
        currency: 'GBP',
        won: { count: 0 },
        lost: { count: 1 },
        ledger: {
          withdrawn: 10000,
          reinstated: 5000,
          disputeFees: 1500,
          otherFees: 0,
          netRecovered: 3500,
          netCost: 6500,
        },
      },
    ]);
    expect(after.winRates.reason).toEqual([{ key: 'FRAUD', won: 0, lost: 1, rate: 0 }]);
  });

  it('exports the period’s disputes as CSV with quoting and no live formulas', async () => {
    const t = await tenant();
    await dispute(t.id, {
      status: 'OPEN',
      amount: 7000,
      currency: 'USD',
      reason: 'DUPLICATE',
      daysAgo: 1,
      orderId: '=HYPERLINK("x")',
    });
    await dispute(t.id, {
      status: 'LOST',
      amount: 4000,
      currency: 'EUR',
      reason: 'GENERAL',
      daysAgo: 2,
      orderId: 'A,"B"',
    });
    const raw = await fetchCsv(t.who);
    expect(raw.type).toMatch(/^text\/csv/);
    const lines = raw.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'dispute_id,created_at,type,status,stripe_status,reason,network_reason_code,stripe_reason,card_brand,case_type,amount,currency,transaction_id,charge_id,order_id,challenge_required_by,evidence_submissions',
    );
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(',LOST,');
    expect(lines[1]).toContain('"A,""B"""');
    expect(lines[2]).toContain(`"'=HYPERLINK(""x"")"`);
    // Support gets the same file for the tenant.
    const admin = await adminCall<string>(
      env.stack.api.url,
      'GET',
      `tenants/${t.id}/exports/disputes.csv`,
    );
    expect(admin.status).toBe(200);
    expect(admin.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(admin.headers.get('content-disposition')).toBe('attachment; filename="disputes.csv"');
    expect(admin.body).toBe(raw.body);
  });

  it('shows another tenant none of it', async () => {
    const a = await tenant();
    const b = await tenant();
    await dispute(a.id, {
      status: 'WON',
      amount: 1000,
      currency: 'USD',
      reason: 'FRAUD',
      daysAgo: 1,
    });
    const res = await appCall<{ currencies: unknown[] }>(
      env.stack.api.url,
      'GET',
      '/app/v1/analytics/outcomes',
      b.who,
    );
    expect(res.body.currencies).toEqual([]);
    expect((await fetchCsv(b.who)).body.trimEnd().split('\r\n')).toHaveLength(1);
  });
});

async function fetchCsv(who: { user: string; account: string }) {
  const url = new URL(`${env.stack.api.url}/app/v1/exports/disputes.csv`);
  for (const [k, v] of Object.entries({ user_id: who.user, account_id: who.account, mode: 'test' }))
    url.searchParams.set(k, v);
  const res = await fetch(url, { headers: await signedAppHeaders('GET', url, who) });
  expect(res.status).toBe(200);
  return { type: res.headers.get('content-type') ?? '', body: await res.text() };
}
