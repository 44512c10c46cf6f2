// npm run bench:evidence — assembling a dispute's evidence draft in a tenant with 1,000,000 charges
// (BENCH_CHARGES) over two years, 50,000 customers and 80,000 cards, plus PaymentIntents, refunds
// and customers: the load of everything the draft draws on (dispute, charge, PaymentIntent,
// customer, refunds, duplicate candidates, Visa CE3.0 prior payments by customer or card) and the
// assembly, for BENCH_DRAFTS random open disputes — and the draft view as the app reads it (with
// its refresh, checklist and action history). The floor is one primary-key read of the dispute
// row, for a ratio. Target (issue 15): draft assembly p95 ≤ 50 ms on 2 cores.
// BENCH_KEEP_DATABASE=1 keeps the seeded database.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { assembleDraft } from '../src/disputes/evidence/assemble-draft.ts';
import { getDraftView } from '../src/disputes/evidence/draft-view.ts';
import { loadEvidenceContext } from '../src/disputes/evidence/load-context.ts';
import {
  createBenchDatabase,
  dropBenchDatabase,
  insertActiveTenants,
  percentile,
} from './support.ts';

const CHARGES = Number(process.env.BENCH_CHARGES ?? 1_000_000);
const DRAFTS = Number(process.env.BENCH_DRAFTS ?? 1000);
const DISPUTES = 2000;
const log = (m: string) => console.log(`[bench:evidence] ${m}`);

async function seed(db: pg.Client, tenantId: string) {
  const batch = 100_000;
  for (let from = 1; from <= CHARGES; from += batch) {
    const to = Math.min(CHARGES, from + batch - 1);
    await db.query(
      `WITH g AS (
         SELECT i, now() - make_interval(secs => (i::bigint * 63072000 / $2::bigint)::int) AS created
           FROM generate_series($3::int, $4::int) i
       ), c AS (
         INSERT INTO charges (tenant_id, stripe_id, livemode, payment_intent_id, customer_id, amount,
                              amount_refunded, currency, status, paid, captured, refunded, disputed,
                              card_brand, card_last4, card_fingerprint, stripe_created_at, raw,
                              snapshot_at, snapshot_tiebreak)
         SELECT $1, 'ch_b' || i, false, 'pi_b' || i, 'cus_b' || (i % 50000), 500 + (i * 37) % 20000,
                0, 'usd', 'succeeded', true, true, false, false, 'visa', '4242', 'fp' || (i % 80000),
                created,
                jsonb_build_object('id', 'ch_b' || i, 'object', 'charge', 'amount', 500 + (i * 37) % 20000,
                  'currency', 'usd', 'created', extract(epoch from created)::bigint,
                  'customer', 'cus_b' || (i % 50000), 'payment_intent', 'pi_b' || i,
                  'description', 'Order ' || i,
                  'billing_details', jsonb_build_object('name', 'Customer ' || (i % 50000),
                     'email', 'c' || (i % 50000) || '@example.com',
                     'address', jsonb_build_object('line1', i || ' Main St', 'city', 'Springfield',
                        'postal_code', '12345', 'country', 'US')),
                  'payment_method_details', jsonb_build_object('type', 'card', 'card',
                     jsonb_build_object('brand', 'visa', 'last4', '4242', 'fingerprint', 'fp' || (i % 80000)))),
                created, 'bench'
           FROM g
         RETURNING 1
       )
       INSERT INTO payment_intents (tenant_id, stripe_id, livemode, customer_id, latest_charge_id, amount,
                                    amount_received, currency, status, stripe_created_at, raw,
                                    snapshot_at, snapshot_tiebreak)
       SELECT $1, 'pi_b' || i, false, 'cus_b' || (i % 50000), 'ch_b' || i, 1000, 1000, 'usd', 'succeeded',
              created,
              jsonb_build_object('id', 'pi_b' || i, 'object', 'payment_intent', 'description', 'Order ' || i,
                'metadata', jsonb_build_object('ip_address', '203.0.113.' || (i % 250)),
                'shipping', jsonb_build_object('name', 'Customer ' || (i % 50000), 'carrier', 'UPS',
                  'tracking_number', '1Z' || i, 'address', jsonb_build_object('line1', i || ' Main St',
                  'city', 'Springfield', 'postal_code', '12345', 'country', 'US'))),
              created, 'bench'
         FROM g WHERE i % 2 = 0`,
      [tenantId, CHARGES, from, to],
    );
    log(`  ${to.toLocaleString()} of ${CHARGES.toLocaleString()} charges`);
  }
  await db.query(
    `INSERT INTO customers (tenant_id, stripe_id, livemode, email, name, stripe_created_at, raw, snapshot_at, snapshot_tiebreak)
     SELECT $1, 'cus_b' || i, false, 'c' || i || '@example.com', 'Customer ' || i, now() - interval '3 years',
            jsonb_build_object('id', 'cus_b' || i, 'object', 'customer', 'name', 'Customer ' || i,
              'email', 'c' || i || '@example.com'), now(), 'bench'
       FROM generate_series(0, 49999) i`,
    [tenantId],
  );
  await db.query(
    `INSERT INTO refunds (tenant_id, stripe_id, livemode, charge_id, payment_intent_id, amount, currency, status,
                          stripe_created_at, raw, snapshot_at, snapshot_tiebreak)
     SELECT $1, 're_b' || i, false, 'ch_b' || i, 'pi_b' || i, 100, 'usd', 'succeeded', now(), '{}', now(), 'bench'
       FROM generate_series(1, $2::int, 97) i`,
    [tenantId, CHARGES],
  );
  // Open disputes on recent charges (a dispute comes weeks after its payment).
  await db.query(
    `INSERT INTO disputes (tenant_id, stripe_id, livemode, charge_id, payment_intent_id, transaction_id, type,
                           status, stripe_status, reason, network_reason_code, stripe_reason, card_brand,
                           case_type, amount, currency, challenge_required_by, evidence_submissions,
                           stripe_created_at, raw, snapshot_at, snapshot_tiebreak)
     SELECT $1, 'du_b' || i, false, 'ch_b' || c, 'pi_b' || c, 'pi_b' || c, 'DISPUTE', 'OPEN', 'needs_response',
            (ARRAY['FRAUD','PRODUCT_NOT_RECEIVED','DUPLICATE','SUBSCRIPTION_CANCELED'])[1 + i % 4],
            '10.4', 'fraudulent', 'visa', 'chargeback', 1000, 'USD', now() + interval '6 days', 0, now(),
            jsonb_build_object('id', 'du_b' || i, 'object', 'dispute', 'status', 'needs_response',
              'evidence_details', jsonb_build_object('due_by', extract(epoch from now() + interval '6 days')::bigint,
                'enhanced_eligibility', jsonb_build_object('visa_compelling_evidence_3',
                  jsonb_build_object('status', 'requires_action',
                    'required_actions', jsonb_build_array('missing_prior_undisputed_transactions'))))),
            now(), 'bench'
       FROM (SELECT i, 1 + (i * 13) % ($2::int / 20) AS c FROM generate_series(1, $3::int) i) s`,
    [tenantId, CHARGES, DISPUTES],
  );
  await db.query('ANALYZE');
}

function summary(name: string, ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const r = (v: number) => Math.round(v * 100) / 100;
  return {
    name,
    n: s.length,
    p50: r(percentile(s, 50)),
    p95: r(percentile(s, 95)),
    p99: r(percentile(s, 99)),
  };
}

async function main() {
  const name = `dd_bench_evidence_${randomBytes(4).toString('hex')}`;
  log(`${os.cpus().length} CPUs; ${CHARGES.toLocaleString()} charges; database ${name}`);
  const url = await createBenchDatabase(name);
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  try {
    const [tenant] = await insertActiveTenants(db, ['acct_bench_evidence']);
    const t0 = performance.now();
    await seed(db, tenant!.id);
    log(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const ids = Array.from({ length: DRAFTS }, (_, i) => `du_b${1 + ((i * 7919) % DISPUTES)}`);
    // Warm-up: the plans and the buffer cache, as a running service has them.
    for (const id of ids.slice(0, 100)) await loadEvidenceContext(pool, tenant!.id, id);
    const floor: number[] = [];
    const assemble: number[] = [];
    const view: number[] = [];
    let prior = 0;
    for (const [i, id] of ids.entries()) {
      let s = performance.now();
      await pool.query(
        'SELECT stripe_id, status FROM disputes WHERE tenant_id = $1 AND stripe_id = $2',
        [tenant!.id, id],
      );
      floor.push(performance.now() - s);
      s = performance.now();
      const ctx = await loadEvidenceContext(pool, tenant!.id, id);
      const draft = assembleDraft(ctx!);
      assemble.push(performance.now() - s);
      prior += draft.ce3?.priorTransactions.length ?? 0;
      s = performance.now();
      await getDraftView(pool, tenant!.id, id);
      view.push(performance.now() - s);
      if ((i + 1) % 250 === 0) log(`  ${i + 1} of ${DRAFTS} drafts`);
    }
    const results = [
      summary('floor: the dispute row by key', floor),
      summary('draft assembly (load + assemble)', assemble),
      summary('draft view (refresh, checklist, actions)', view),
    ];
    console.table(results);
    const a = results[1]!;
    log(
      `draft assembly p95 ${a.p95} ms (target ≤ 50 ms: ${a.p95 <= 50 ? 'met' : 'NOT met'}), ` +
        `${(a.p95 / results[0]!.p95).toFixed(1)}× the floor; ${(prior / DRAFTS).toFixed(1)} CE3.0 prior payments found per draft`,
    );
  } finally {
    await pool.end();
    await db.end();
    if (process.env.BENCH_KEEP_DATABASE !== '1') await dropBenchDatabase(name);
  }
}

await main();
