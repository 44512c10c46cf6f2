// The analytics aggregates are kept as rows are written (statement triggers append signed rows,
// compaction folds them): after a random history of disputes, charges and balance transactions
// written in concurrent batches, out of order, with compaction running in between and some rows
// deleted, every aggregate equals the same figures counted afresh from the stored rows — before
// and after the last compaction, which leaves one row per key.
import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { compactAggregates } from '../src/analytics/compact-aggregates.ts';
import { withTransaction } from '../src/db.ts';
import type { ResourceName } from '../src/stripe-objects/resources.ts';
import { upsertObjects, type Snapshot } from '../src/stripe-objects/upsert-objects.ts';
import { charge, dispute } from './support/fixtures.ts';
import { useStack } from './support/harness.ts';
import { stripeId } from './support/ids.ts';

const env = useStack({ worker: false });

// A small deterministic generator, so a failure can be replayed.
function rng(seed: number) {
  let s = seed;
  return () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

interface Write {
  resource: ResourceName;
  snapshot: Snapshot;
}

function history(rand: () => number): Write[] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const now = Math.floor(Date.now() / 1000);
  const writes: Write[] = [];
  const at = (t: number) => new Date(t * 1000);
  for (let i = 0; i < 300; i++) {
    const created = now - Math.floor(rand() * 120 * 86400);
    const base = charge({
      created,
      amount: 100 + Math.floor(rand() * 300_000),
      currency: pick(['usd', 'eur', 'gbp']),
      status: 'pending',
      payment_method_details: {
        type: 'card',
        card: { brand: pick(['visa', 'visa', 'mastercard', 'amex']) },
      } as Stripe.Charge.PaymentMethodDetails,
    });
    const final = pick(['succeeded', 'succeeded', 'succeeded', 'failed'] as const);
    writes.push({ resource: 'charge', snapshot: { object: base, snapshotAt: at(created) } });
    const settled: Stripe.Charge = { ...base, status: final };
    writes.push({ resource: 'charge', snapshot: { object: settled, snapshotAt: at(created + 5) } });
    const refunded: Stripe.Charge = { ...settled, amount_refunded: 50 };
    if (final === 'succeeded' && rand() < 0.3)
      writes.push({
        resource: 'charge',
        snapshot: {
          object: refunded,
          snapshotAt: at(created + 3600),
        },
      });
  }
  for (let i = 0; i < 80; i++) {
    const created = now - Math.floor(rand() * 120 * 86400);
    const retrieval = rand() < 0.1;
    const statuses: Stripe.Dispute.Status[] = retrieval
      ? ['warning_needs_response', 'warning_closed']
      : ['needs_response', 'under_review', pick(['won', 'lost', 'lost'] as const)];
    const shape = {
      created,
      amount: pick([900, 4999, 5000, 19_999, 20_000, 150_000]),
      currency: pick(['usd', 'eur']),
      brand: pick(['visa', 'mastercard', 'amex']),
      reason: pick(['fraudulent', 'product_not_received', 'duplicate', 'general']),
      networkReasonCode: pick(['10.4', '4837', null]),
      caseType: retrieval ? ('inquiry' as const) : ('chargeback' as const),
      id: stripeId('du'),
    };
    // Often only some of its states arrive.
    const seen = statuses.filter((_, k) => k === statuses.length - 1 || rand() < 0.6);
    seen.forEach((status, k) =>
      writes.push({
        resource: 'dispute',
        snapshot: { object: dispute({ ...shape, status }), snapshotAt: at(created + 60 * (k + 1)) },
      }),
    );
    const txn = (k: number, amount: number, fee: number, category: string, day: number) => {
      const o = {
        id: `txn_${shape.id}_${k}`,
        object: 'balance_transaction',
        amount,
        fee,
        net: amount - fee,
        currency: shape.currency,
        type: 'adjustment',
        reporting_category: category,
        source: shape.id,
        status: 'available',
        created: created + day * 86400,
        available_on: created + day * 86400,
      };
      writes.push({
        resource: 'balance_transaction',
        snapshot: {
          object: o,
          snapshotAt: at(o.created),
        },
      });
    };
    if (!retrieval) {
      txn(1, -shape.amount, 1500, 'dispute', 0);
      if (seen.at(-1) === 'won') txn(2, shape.amount, -1500, 'dispute_reversal', 30);
    }
  }
  // Stripe promises no order.
  for (let i = writes.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [writes[i], writes[j]] = [writes[j]!, writes[i]!];
  }
  return writes;
}

const FRESH = {
  disputes: `
    SELECT (stripe_created_at AT TIME ZONE 'UTC')::date::text AS day, currency, status, reason,
           coalesce(network_reason_code, 'none') AS nrc, coalesce(card_brand, 'unknown') AS brand,
           coalesce(case_type, 'unknown') AS case_type,
           CASE WHEN amount < 5000 THEN 0 WHEN amount < 20000 THEN 1 WHEN amount < 100000 THEN 2 ELSE 3 END AS band,
           type = 'RETRIEVAL' AS retrieval, count(*)::int AS n, sum(amount)::float8 AS amount
      FROM disputes WHERE tenant_id = $1 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9`,
  aggDisputes: `
    SELECT day::text AS day, currency, status, reason, network_reason_code AS nrc, card_brand AS brand, case_type,
           amount_band AS band, retrieval, sum(n)::int AS n, sum(amount)::float8 AS amount
      FROM agg_dispute_days WHERE tenant_id = $1 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
    HAVING sum(n) <> 0 OR sum(amount) <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9`,
  sales: `
    SELECT date_trunc('month', stripe_created_at AT TIME ZONE 'UTC')::date::text AS month,
           coalesce(card_brand, 'unknown') AS brand, currency, count(*)::int AS n, sum(amount)::float8 AS amount
      FROM charges WHERE tenant_id = $1 AND status = 'succeeded' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
  aggSales: `
    SELECT month::text AS month, card_brand AS brand, currency, sum(n)::int AS n, sum(amount)::float8 AS amount
      FROM agg_sales_months WHERE tenant_id = $1 GROUP BY 1, 2, 3
    HAVING sum(n) <> 0 OR sum(amount) <> 0 ORDER BY 1, 2, 3`,
  ledger: `
    SELECT (stripe_created_at AT TIME ZONE 'UTC')::date::text AS day, currency, reporting_category AS category,
           sum(amount)::float8 AS amount, sum(fee)::float8 AS fee, count(*)::int AS n
      FROM balance_transactions WHERE tenant_id = $1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
  aggLedger: `
    SELECT day::text AS day, currency, category, sum(amount)::float8 AS amount, sum(fee)::float8 AS fee,
           sum(n)::int AS n
      FROM agg_ledger_days WHERE tenant_id = $1 GROUP BY 1, 2, 3
    HAVING sum(n) <> 0 OR sum(amount) <> 0 OR sum(fee) <> 0 ORDER BY 1, 2, 3`,
};

async function expectAggregatesTrue(tenantId: string) {
  const q = async (sql: string) =>
    (await env.stack.db.pool.query<Record<string, unknown>>(sql, [tenantId])).rows;
  expect(await q(FRESH.aggDisputes)).toEqual(await q(FRESH.disputes));
  expect(await q(FRESH.aggSales)).toEqual(await q(FRESH.sales));
  expect(await q(FRESH.aggLedger)).toEqual(await q(FRESH.ledger));
}

describe('analytics aggregates', () => {
  it('equal a fresh count after concurrent out-of-order batches, deletions and compactions', async () => {
    const tenantId = randomUUID();
    const writes = history(rng(20261201));
    const batches: Write[][] = [];
    for (let i = 0; i < writes.length; i += 25) batches.push(writes.slice(i, i + 25));
    expect(batches.length).toBeGreaterThan(20);
    const pool = env.stack.db.pool;
    let next = 0;
    let compactions = 0;
    const worker = async () => {
      for (let b = next++; b < batches.length; b = next++) {
        await withTransaction(pool, async (client) => {
          for (const resource of ['charge', 'dispute', 'balance_transaction'] as const) {
            const snapshots = batches[b]!.filter((w) => w.resource === resource).map(
              (w) => w.snapshot,
            );
            await upsertObjects(client, resource, tenantId, snapshots);
          }
        });
        if (b % 5 === 0 && (await compactAggregates(pool)).ran) compactions++;
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    expect(compactions).toBeGreaterThan(0);
    await expectAggregatesTrue(tenantId);

    // Rows deleted (a purge, a repair) take their contributions with them.
    await pool.query(
      `DELETE FROM charges WHERE tenant_id = $1 AND stripe_id IN
         (SELECT stripe_id FROM charges WHERE tenant_id = $1 ORDER BY stripe_id LIMIT 40)`,
      [tenantId],
    );
    await pool.query(
      `DELETE FROM disputes WHERE tenant_id = $1 AND stripe_id IN
         (SELECT stripe_id FROM disputes WHERE tenant_id = $1 ORDER BY stripe_id LIMIT 10)`,
      [tenantId],
    );
    await expectAggregatesTrue(tenantId);

    // The last compaction leaves one row per key, none of them empty, and the same figures.
    const result = await compactAggregates(pool);
    expect(result.ran).toBe(true);
    await expectAggregatesTrue(tenantId);
    const { rows } = await pool.query<{ appended: number; dupes: number; empty: number }>(
      `SELECT (SELECT count(*) FROM agg_dispute_days WHERE tenant_id = $1 AND NOT compacted)::int AS appended,
              (SELECT count(*) FROM agg_dispute_days WHERE tenant_id = $1 AND n = 0 AND amount = 0)::int AS empty,
              (SELECT count(*) - count(DISTINCT (day, currency, status, reason, network_reason_code, card_brand,
                                                 case_type, amount_band, retrieval))
                 FROM agg_dispute_days WHERE tenant_id = $1)::int AS dupes`,
      [tenantId],
    );
    expect(rows[0]).toEqual({ appended: 0, dupes: 0, empty: 0 });
    const fresh = await pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM disputes WHERE tenant_id = $1',
      [tenantId],
    );
    expect(fresh.rows[0]!.n).toBeGreaterThan(50);
  });
});
