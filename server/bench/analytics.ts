// npm run bench:analytics — the overview's figures in a tenant with 1,000,000 charges
// (BENCH_CHARGES) over two years across Visa, Mastercard and Amex, and 20,000 disputes
// (BENCH_DISPUTES) in every outcome and three currencies with their balance transactions and
// early fraud warnings: outcomes and money (90 days), network ratios (three months, the current
// one projected) and the two together as the overview asks for them, read from the aggregates the
// triggers keep (after one compaction pass), in-process against Postgres. Target (issue 16):
// overview p95 ≤ 100 ms on 2 cores. BENCH_REQUESTS (300) per measurement; BENCH_KEEP_DATABASE=1
// keeps the database.
//
// Then what keeping the aggregates costs: bench:processing's run (API + one worker process, 50
// tenants, BENCH_PAYMENTS payments with disputes) with the aggregate triggers on and off, in
// ABBA order (BENCH_PROCESSING_PAIRS pairs, default 2; 0 skips it). Target: throughput with them
// on at least 90 % of off.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { compactAggregates } from '../src/analytics/compact-aggregates.ts';
import { networkRatios } from '../src/analytics/network-ratios.ts';
import { disputeOutcomes } from '../src/analytics/outcomes.ts';
import { ours, plan } from './processing-runs.ts';
import {
  buildServer,
  createBenchDatabase,
  dropBenchDatabase,
  insertActiveTenants,
  percentile,
} from './support.ts';

const CHARGES = Number(process.env.BENCH_CHARGES ?? 1_000_000);
const DISPUTES = Number(process.env.BENCH_DISPUTES ?? 20_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const PAIRS = Number(process.env.BENCH_PROCESSING_PAIRS ?? 2);
const TRIGGERS = ['disputes', 'charges', 'balance_transactions'].flatMap((t) =>
  ['insert', 'update', 'delete'].map((op) => [t, `${t}_agg_${op}`] as const),
);
const log = (m: string) => console.log(`[bench:analytics] ${m}`);

async function seed(db: pg.Client, tenantId: string) {
  const batch = 200_000;
  for (let from = 1; from <= CHARGES; from += batch) {
    const to = Math.min(CHARGES, from + batch - 1);
    await db.query(
      `INSERT INTO charges (tenant_id, stripe_id, livemode, amount, amount_refunded, currency, status, paid, captured,
                            refunded, disputed, card_brand, stripe_created_at, raw, snapshot_at, snapshot_tiebreak)
       SELECT $1, 'ch_a' || i, false, 500 + (i * 37) % 20000, 0, (ARRAY['USD','EUR','GBP'])[1 + i % 3], 'succeeded',
              true, true, false, false, (ARRAY['visa','visa','mastercard','amex'])[1 + i % 4],
              now() - make_interval(secs => (i::bigint * 63072000 / $2::bigint)::int), '{}', now(), 'b'
         FROM generate_series($3::int, $4::int) i`,
      [tenantId, CHARGES, from, to],
    );
    log(`  ${to.toLocaleString()} of ${CHARGES.toLocaleString()} charges`);
  }
  await db.query(
    `WITH d AS (
       INSERT INTO disputes (tenant_id, stripe_id, livemode, charge_id, type, status, stripe_status, reason,
                             network_reason_code, stripe_reason, card_brand, case_type, amount, currency,
                             evidence_submissions, stripe_created_at, raw, snapshot_at, snapshot_tiebreak)
       SELECT $1, 'du_a' || i, false, 'ch_a' || (i * 50), 'DISPUTE',
              (ARRAY['WON','LOST','ACCEPTED','OPEN','CHALLENGED','WON','LOST'])[1 + i % 7], 'x',
              (ARRAY['FRAUD','PRODUCT_NOT_RECEIVED','DUPLICATE','GENERAL'])[1 + i % 4], '10.4', 'fraudulent',
              (ARRAY['visa','visa','mastercard','amex'])[1 + (i * 50) % 4], 'chargeback', 500 + (i * 37) % 20000,
              (ARRAY['USD','EUR','GBP'])[1 + (i * 50) % 3], 1,
              now() - make_interval(secs => ((i * 50)::bigint * 63072000 / $2::bigint)::int) + interval '20 days',
              '{}', now(), 'b'
         FROM generate_series(1, $3::int) i
       RETURNING stripe_id, status, amount, currency, stripe_created_at)
     INSERT INTO balance_transactions (tenant_id, stripe_id, livemode, amount, fee, net, currency, type,
                                       reporting_category, source_id, status, stripe_created_at, raw, snapshot_at,
                                       snapshot_tiebreak)
     SELECT $1, 'txn_a' || d.stripe_id || k, false, CASE k WHEN 1 THEN -d.amount ELSE d.amount END,
            CASE k WHEN 1 THEN 1500 ELSE 0 END, 0, lower(d.currency), 'adjustment',
            CASE k WHEN 1 THEN 'dispute' ELSE 'dispute_reversal' END, d.stripe_id, 'available', d.stripe_created_at,
            '{}', now(), 'b'
       FROM d, generate_series(1, 2) k WHERE k = 1 OR d.status = 'WON'`,
    [tenantId, CHARGES, DISPUTES],
  );
  await db.query(
    `INSERT INTO early_fraud_warnings (tenant_id, stripe_id, livemode, charge_id, fraud_type, actionable,
                                       stripe_created_at, raw, snapshot_at, snapshot_tiebreak)
     SELECT $1, 'issfr_a' || i, false, 'ch_a' || (i * 97), 'made_with_stolen_card', true,
            now() - make_interval(secs => ((i * 97)::bigint * 63072000 / $2::bigint)::int), '{}', now(), 'b'
       FROM generate_series(1, $2::int / 97) i`,
    [tenantId, CHARGES],
  );
  await db.query('ANALYZE');
}

async function time(n: number, fn: () => Promise<unknown>) {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await fn();
    ms.push(performance.now() - s);
  }
  const sorted = ms.sort((a, b) => a - b);
  const r = (v: number) => Math.round(v * 10) / 10;
  return {
    p50: r(percentile(sorted, 50)),
    p95: r(percentile(sorted, 95)),
    p99: r(percentile(sorted, 99)),
  };
}

async function main() {
  const name = `dd_bench_analytics_${randomBytes(4).toString('hex')}`;
  log(
    `${os.cpus().length} CPUs; ${CHARGES.toLocaleString()} charges, ${DISPUTES.toLocaleString()} disputes; database ${name}`,
  );
  const url = await createBenchDatabase(name);
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  try {
    const [tenant] = await insertActiveTenants(db, ['acct_bench_analytics']);
    const t0 = performance.now();
    await seed(db, tenant!.id);
    log(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const c0 = performance.now();
    const compaction = await compactAggregates(pool);
    const { rows: aggRows } = await db.query<{ t: string; n: number }>(
      `SELECT 'agg_dispute_days' t, count(*)::int n FROM agg_dispute_days UNION ALL
       SELECT 'agg_sales_months', count(*)::int FROM agg_sales_months UNION ALL
       SELECT 'agg_ledger_days', count(*)::int FROM agg_ledger_days`,
    );
    log(
      `compaction folded ${JSON.stringify(compaction.folded)} in ${(performance.now() - c0).toFixed(0)} ms; ` +
        `rows now: ${aggRows.map((r) => `${r.t} ${r.n}`).join(', ')}`,
    );
    const period = { from: new Date(Date.now() - 90 * 86400_000), to: new Date() };
    await time(20, () => disputeOutcomes(pool, tenant!.id, period)); // warm-up
    const outcomes = await time(REQUESTS, () => disputeOutcomes(pool, tenant!.id, period));
    log('  outcomes measured');
    const ratios = await time(REQUESTS, () => networkRatios(pool, tenant!.id));
    log('  ratios measured');
    const overview = await time(REQUESTS, () =>
      Promise.all([disputeOutcomes(pool, tenant!.id, period), networkRatios(pool, tenant!.id)]),
    );
    const sample = await disputeOutcomes(pool, tenant!.id, period);
    console.table([
      { name: 'outcomes and money (90 days)', ...outcomes },
      { name: 'network ratios (3 months)', ...ratios },
      { name: 'overview (both)', ...overview },
    ]);
    log(
      `overview p95 ${overview.p95} ms (target ≤ 100 ms: ${overview.p95 <= 100 ? 'met' : 'NOT met'}); ` +
        `${sample.currencies.reduce((n, c) => n + c.disputed.count, 0)} disputes in the 90-day window`,
    );
  } finally {
    await pool.end();
    await db.end();
    if (process.env.BENCH_KEEP_DATABASE !== '1') await dropBenchDatabase(name);
  }
  if (PAIRS > 0) await processingCost();
}

/** Event processing with the aggregate triggers on and off, alternated (ABBA) in one run. */
async function processingCost() {
  log('building the server (tsc) for the processing comparison…');
  buildServer();
  const runId = Date.now().toString(36);
  const p = plan(runId);
  const off = async (c: pg.Client) => {
    for (const [table, trigger] of TRIGGERS)
      await c.query(`ALTER TABLE ${table} DISABLE TRIGGER ${trigger}`);
  };
  const rates: Record<'on' | 'off', number[]> = { on: [], off: [] };
  const pgCpu: Record<'on' | 'off', number[]> = { on: [], off: [] };
  for (let i = 0; i < PAIRS; i++) {
    for (const mode of i % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      const r = await ours(p, 1, runId, {
        label: `${mode}${i}`,
        setup: mode === 'off' ? off : undefined,
      });
      if (r.problems.length)
        throw new Error(`rows wrong with aggregates ${mode}: ${r.problems.join('; ')}`);
      rates[mode].push(r.perSecond);
      pgCpu[mode].push((r.cpu.postgres * 1000) / p.bodies.length);
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const ratio = mean(rates.on) / mean(rates.off);
  console.table(
    (['on', 'off'] as const).map((mode) => ({
      aggregates: mode,
      runs: rates[mode].map((r) => r.toFixed(0)).join(', '),
      'mean events/s': mean(rates[mode]).toFixed(0),
      'Postgres CPU ms per event': mean(pgCpu[mode]).toFixed(2),
    })),
  );
  log(
    `${p.bodies.length} events per run: throughput with aggregates on is ${(ratio * 100).toFixed(1)} % of off ` +
      `(target ≥ 90 %: ${ratio >= 0.9 ? 'met' : 'NOT met'})`,
  );
}

await main();
