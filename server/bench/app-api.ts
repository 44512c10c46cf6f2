// npm run bench:app-api — the app API's reads with 100,000 disputes in the tenant (BENCH_DISPUTES)
// among two other tenants of the same size, through the real API (built JS, its own process).
// The dispute panel's call (GET /app/v1/payments/:id/disputes, random payments of the tenant,
// charge and PaymentIntent ids alike) is measured one request at a time and at concurrency 8;
// the list, detail, summary and status reads once each way; and the floor of any signed app
// request — GET /app/v1/connection: signature check, tenant lookup, one row — for a ratio.
// Target (issue 6): the panel's call p95 ≤ 50 ms. BENCH_NODE_ARGS passes flags to the API process
// (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof); BENCH_KEEP_DATABASE=1 keeps the seeded database.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Pool } from 'undici';
import { signedTexts } from '../src/app-api/request-binding.ts';
import { signatureHeader } from '../src/webhooks/verify-signature.ts';
import { freePort } from '../test/support/redis-server.ts';
import {
  buildServer,
  createBenchDatabase,
  dropBenchDatabase,
  insertActiveTenants,
  percentile,
  ROOT,
  SERVER,
  serverEnv,
  stop,
  waitHealthy,
} from './support.ts';

const DISPUTES = Number(process.env.BENCH_DISPUTES ?? 100_000);
const SEQUENTIAL = Number(process.env.BENCH_REQUESTS ?? 2000);
const CONCURRENT = SEQUENTIAL * 2;
const APP_SECRET = `absec_bench_${randomBytes(8).toString('hex')}`;
const log = (m: string) => console.log(`[bench:app-api] ${m}`);

/** Disputes of every state, with timelines, charges and early fraud warnings, in SQL batches. */
async function seedTenant(db: pg.Client, tenantId: string, tag: string) {
  const batch = 20_000;
  for (let from = 1; from <= DISPUTES; from += batch) {
    const to = Math.min(DISPUTES, from + batch - 1);
    await db.query(
      `WITH g AS (
         SELECT i, i % 20 AS k, now() - make_interval(secs => i * 600) AS created,
                (SELECT string_agg(md5($2 || i || '-' || j), '') FROM generate_series(1, 24) j) AS filler
           FROM generate_series($3::int, $4::int) i
       ), d AS (
         INSERT INTO disputes (tenant_id, stripe_id, livemode, charge_id, payment_intent_id, transaction_id,
                               order_id, type, status, stripe_status, reason, network_reason_code,
                               stripe_reason, card_brand, case_type, amount, currency,
                               challenge_required_by, evidence_submissions, stripe_created_at, raw,
                               snapshot_at, snapshot_tiebreak)
         SELECT $1, 'du_' || $2 || i, false, 'ch_' || $2 || i, 'pi_' || $2 || i, 'pi_' || $2 || i,
                'ORD-' || i,
                CASE WHEN k = 19 THEN 'RETRIEVAL' ELSE 'DISPUTE' END,
                CASE WHEN k < 3 THEN 'OPEN' WHEN k < 6 THEN 'CHALLENGED' WHEN k < 12 THEN 'WON'
                     WHEN k < 16 THEN 'LOST' WHEN k < 18 THEN 'ACCEPTED' ELSE 'CANCELLED' END,
                CASE WHEN k < 3 THEN 'needs_response' WHEN k < 6 THEN 'under_review'
                     WHEN k < 12 THEN 'won' WHEN k < 18 THEN 'lost' ELSE 'warning_closed' END,
                (ARRAY['FRAUD','PRODUCT_NOT_RECEIVED','PRODUCT_UNACCEPTABLE','DUPLICATE','GENERAL'])[1 + i % 5],
                (ARRAY['10.4','13.1','13.3','12.6.1','13.8'])[1 + i % 5],
                (ARRAY['fraudulent','product_not_received','product_unacceptable','duplicate','general'])[1 + i % 5],
                'visa', 'chargeback', 500 + (i * 37) % 20000, (ARRAY['USD','EUR','GBP'])[1 + i % 3],
                CASE WHEN k < 3 THEN created + interval '9 days' END, CASE WHEN k >= 3 AND k < 16 THEN 1 ELSE 0 END,
                created, jsonb_build_object('id', 'du_' || $2 || i, 'object', 'dispute', 'filler', filler),
                created, 'bench'
           FROM g
         RETURNING stripe_id, status, stripe_created_at
       ), t AS (
         INSERT INTO dispute_timeline (tenant_id, dispute_id, stripe_status, type, status, occurred_at, source_event_id)
         SELECT $1, stripe_id, s.stripe_status, 'DISPUTE', s.status, stripe_created_at + s.after, 'evt_bench'
           FROM d, LATERAL (VALUES ('needs_response', 'OPEN', interval '0'),
                                   ('under_review', 'CHALLENGED', interval '2 days'),
                                   ('won', 'WON', interval '30 days')) s(stripe_status, status, after)
          WHERE s.stripe_status = 'needs_response' OR (d.status <> 'OPEN' AND s.stripe_status = 'under_review')
             OR (d.status = 'WON' AND s.stripe_status = 'won')
         RETURNING 1
       ), c AS (
         INSERT INTO charges (tenant_id, stripe_id, livemode, payment_intent_id, amount, amount_refunded, currency,
                              status, paid, captured, refunded, disputed, card_brand, card_last4, order_id,
                              stripe_created_at, raw, snapshot_at, snapshot_tiebreak)
         SELECT $1, 'ch_' || $2 || i, false, 'pi_' || $2 || i, 1000, 0, 'usd', 'succeeded', true, true, false,
                true, 'visa', '4242', 'ORD-' || i, created - interval '1 day',
                jsonb_build_object('id', 'ch_' || $2 || i, 'filler', filler), created, 'bench'
           FROM g
         RETURNING 1
       )
       INSERT INTO early_fraud_warnings (tenant_id, stripe_id, livemode, charge_id, payment_intent_id, fraud_type,
                                         actionable, stripe_created_at, raw, snapshot_at, snapshot_tiebreak)
       SELECT $1, 'issfr_' || $2 || i, false, 'ch_' || $2 || i, 'pi_' || $2 || i, 'made_with_stolen_card',
              true, created - interval '1 hour', '{}'::jsonb, created, 'bench'
         FROM g WHERE i % 50 = 0`,
      [tenantId, tag, from, to],
    );
    log(`  ${tag}: ${to.toLocaleString()} of ${DISPUTES.toLocaleString()} disputes`);
  }
}

interface Measured {
  name: string;
  requests: number;
  concurrency: number;
  p50: number;
  p95: number;
  p99: number;
  perSecond: number;
  errors: number;
}

async function measure(
  pool: Pool,
  name: string,
  paths: () => string,
  requests: number,
  concurrency: number,
  sign: (path: string) => string,
): Promise<Measured> {
  const latencies: number[] = [];
  let errors = 0;
  let sent = 0;
  const started = performance.now();
  const loop = async () => {
    while (sent < requests) {
      sent++;
      const t0 = performance.now();
      const path = paths();
      const res = await pool.request({
        method: 'GET',
        path,
        headers: { 'stripe-signature': sign(path) },
      });
      await res.body.dump();
      latencies.push(performance.now() - t0);
      if (res.statusCode !== 200) errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const seconds = (performance.now() - started) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  return {
    name,
    requests,
    concurrency,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    perSecond: requests / seconds,
    errors,
  };
}

async function main() {
  const started = Date.now();
  const runId = Date.now().toString(36);
  const database = `dd_bench_app_${runId}`;
  log('building the server (tsc)…');
  buildServer();
  log(`creating database ${database}…`);
  const url = await createBenchDatabase(database);
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const accounts = [0, 1, 2].map((n) => `acct_benchapp${runId}${n}`);
  const tenants = await insertActiveTenants(db, accounts);
  let api: ReturnType<typeof spawn> | null = null;
  try {
    const seedStart = Date.now();
    log(`seeding ${tenants.length} tenants × ${DISPUTES.toLocaleString()} disputes…`);
    for (const [i, t] of tenants.entries()) await seedTenant(db, t.id, `b${i}x`);
    // Steady state: autovacuum would have run after this many inserts (visibility map set).
    await db.query('VACUUM (ANALYZE) disputes, dispute_timeline, charges, early_fraud_warnings');
    const seedSeconds = (Date.now() - seedStart) / 1000;
    log(`seeded in ${seedSeconds.toFixed(0)} s`);

    const port = await freePort();
    const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    api = spawn(process.execPath, [...nodeArgs, 'dist/main.js'], {
      cwd: SERVER,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: serverEnv(url, `ddbench-app-${runId}`, {
        PORT: String(port),
        STRIPE_APP_SIGNING_SECRETS: APP_SECRET,
      }),
    });
    const origin = `http://127.0.0.1:${port}`;
    await waitHealthy(`${origin}/healthz`, api);
    const account = tenants[0]!.stripe_account_id;
    const identity = `user_id=usr_bench&account_id=${account}&mode=test`;
    // Each request is signed for itself (method, path with query, mode, empty body), as the app does.
    const emptyBody = createHash('sha256').update('').digest('hex');
    const sign = (path: string) =>
      signatureHeader(
        APP_SECRET,
        signedTexts('usr_bench', account, {
          method: 'GET',
          path,
          mode: 'test',
          body_sha256: emptyBody,
        })[0]!,
      );
    const pool = new Pool(origin, { connections: 16 });
    const pick = () => 1 + Math.floor(Math.random() * DISPUTES);
    const panel = () =>
      `/app/v1/payments/${Math.random() < 0.5 ? 'ch' : 'pi'}_b0x${pick()}/disputes?${identity}`;
    const reads: Array<[string, () => string]> = [
      ['floor: connection', () => `/app/v1/connection?${identity}`],
      ['dispute panel (payment)', panel],
      ['dispute detail', () => `/app/v1/disputes/du_b0x${pick()}?${identity}`],
      ['list, first page', () => `/app/v1/disputes?limit=25&${identity}`],
      ['list, status=OPEN', () => `/app/v1/disputes?limit=25&status=OPEN&${identity}`],
      ['summary', () => `/app/v1/summary?${identity}`],
      ['status', () => `/app/v1/status?${identity}`],
    ];
    log('warming up…');
    await measure(pool, 'warm-up', panel, 500, 4, sign);
    const results: Measured[] = [];
    for (const [name, paths] of reads) {
      const heavy = name === 'summary' || name === 'status';
      for (const concurrency of [1, 8]) {
        const n = heavy
          ? Math.ceil((concurrency === 1 ? SEQUENTIAL : CONCURRENT) / 10)
          : concurrency === 1
            ? SEQUENTIAL
            : CONCURRENT;
        const r = await measure(pool, name, paths, n, concurrency, sign);
        results.push(r);
        log(
          `${name.padEnd(26)} c${concurrency}: p50 ${r.p50.toFixed(1)} ms  p95 ${r.p95.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  ${r.perSecond.toFixed(0)}/s${r.errors ? `  ERRORS ${r.errors}` : ''}`,
        );
      }
    }
    await pool.close();
    if (results.some((r) => r.errors > 0)) throw new Error('some requests failed');

    const find = (name: string, c: number) =>
      results.find((r) => r.name === name && r.concurrency === c)!;
    const panel1 = find('dispute panel (payment)', 1);
    const panel8 = find('dispute panel (payment)', 8);
    const floor1 = find('floor: connection', 1);
    const summary = [
      `bench:app-api — ${new Date().toISOString()} — ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), Node ${process.version}`,
      `${tenants.length} tenants × ${DISPUTES.toLocaleString()} disputes (with timelines, charges, early fraud warnings); seeded in ${seedSeconds.toFixed(0)} s; one API process`,
      '',
      '| read | concurrency | requests | p50 ms | p95 ms | p99 ms | req/s |',
      '|---|---|---|---|---|---|---|',
      ...results.map(
        (r) =>
          `| ${r.name} | ${r.concurrency} | ${r.requests} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.perSecond.toFixed(0)} |`,
      ),
      '',
      `Dispute panel p95: ${panel1.p95.toFixed(1)} ms one at a time, ${panel8.p95.toFixed(1)} ms at concurrency 8 (target ≤ 50 ms: ${Math.max(panel1.p95, panel8.p95) <= 50 ? 'met' : 'NOT met'}).`,
      `Against the floor of a signed request (connection, p95 ${floor1.p95.toFixed(1)} ms): the panel's call costs ${(panel1.p95 / floor1.p95).toFixed(2)}× at p95, one at a time.`,
      `Total run ${((Date.now() - started) / 1000).toFixed(0)} s.`,
    ].join('\n');
    console.log(`\n${summary}\n`);
    mkdirSync(path.join(ROOT, '.bench'), { recursive: true });
    writeFileSync(path.join(ROOT, '.bench', 'app-api.md'), `${summary}\n`);
  } finally {
    if (api) await stop(api);
    await db.end();
    if (process.env.BENCH_KEEP_DATABASE) log(`kept database ${database}`);
    else await dropBenchDatabase(database);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
