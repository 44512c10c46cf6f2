// npm run bench:backfill — end-to-end backfill throughput: a seeded emulator account
// (≈1,000,000 objects by default, a Billing merchant: subscriptions, their invoices, products and
// prices among them) loaded into a fresh database by the real worker process (built
// JS), rate limiting off; then, with Stripe's test-mode limit on (25/s) and ours at its default,
// the request rate sustained for a bounded time and the 429s seen. Progress every two seconds,
// a summary at the end. BENCH_CHARGES (300000) and BENCH_LIMITED_SECONDS (30) change the size;
// BENCH_SUBSCRIPTION_SHARE (0.4) how many customers subscribe, BENCH_PEER_SECONDS (600) bounds the peer.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { freePort } from '../test/support/redis-server.ts';
import {
  admin,
  buildServer,
  createBenchDatabase,
  dbUrl,
  redisUrl,
  ROOT,
  SERVER,
  stop,
} from './support.ts';

const charges = Number(process.env.BENCH_CHARGES ?? 300_000);
const limitedSeconds = Number(process.env.BENCH_LIMITED_SECONDS ?? 30);
const peerSeconds = Number(process.env.BENCH_PEER_SECONDS ?? 600);
/** Share of the merchant's customers who subscribe (0: the payments-only account of before). */
const subscriptionShare = Number(process.env.BENCH_SUBSCRIPTION_SHARE ?? 0.4);
const log = (msg: string) => console.log(`[bench:backfill] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => Promise<boolean>, what: string, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(100);
  }
}

async function main() {
  const runId = Date.now().toString(36);
  const database = `dd_bench_bf_${runId}`;
  const prefix = `ddbench-bf-${runId}`;
  log('building the server (tsc)…');
  buildServer();
  const emuPort = await freePort();
  const emuUrl = `http://127.0.0.1:${emuPort}`;
  const emulator = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/main.ts', '--port', String(emuPort), '--no-rate-limit'],
    { cwd: path.join(ROOT, 'e2e/stripe-emulator'), stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const workers: ChildProcess[] = [];
  const db = new pg.Client({ connectionString: dbUrl(database) });
  try {
    await until(
      async () => (await fetch(`${emuUrl}/_emulator/info`).catch(() => null))?.ok === true,
      'emulator',
    );
    const control = async <T>(p: string, body: unknown) =>
      (await (
        await fetch(`${emuUrl}/_emulator/${p}`, { method: 'POST', body: JSON.stringify(body) })
      ).json()) as T;

    log(`seeding one account with ${charges.toLocaleString()} charges…`);
    const { id: account } = await control<{ id: string }>('accounts', {});
    const end = Math.floor(Date.now() / 1000) - 3600;
    const start = end - 730 * 86400;
    const windows = Math.ceil(charges / 20_000);
    const expected: Record<string, number> = {};
    for (let w = 0; w < windows; w++) {
      const s = await control<{ objects: Record<string, number> }>('seed', {
        account,
        charges: Math.min(20_000, charges - w * 20_000),
        disputeRate: 0.01,
        // A Billing merchant: 40 % of customers subscribe (renewals with their invoices).
        subscriptionShare,
        from: start + Math.floor(((end - start) * w) / windows),
        to: start + Math.floor(((end - start) * (w + 1)) / windows),
        end,
        seed: 101 + w,
      });
      for (const [k, v] of Object.entries(s.objects)) expected[k] = (expected[k] ?? 0) + v;
    }
    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    log(`seeded ${total.toLocaleString()} objects`);

    log(`creating database ${database}…`);
    await createBenchDatabase(database);
    await db.connect();
    const tenant = (
      await db.query<{ id: string }>(
        `INSERT INTO tenants (id, stripe_account_id, livemode, status, connection_type, connected_at, updated_at)
         VALUES (gen_random_uuid(), $1, false, 'active', 'platform', now(), now()) RETURNING id`,
        [account],
      )
    ).rows[0]!.id;

    const workerEnv = (extra: Record<string, string>) => ({
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: dbUrl(database),
      DATABASE_POOL_SIZE: '12',
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      ENCRYPTION_PRIMARY_KEY_ID: 'k1',
      STRIPE_API_BASE: emuUrl,
      STRIPE_SECRET_KEY_TEST: 'sk_test_emulator_platform_key',
      STRIPE_MAX_NETWORK_RETRIES: '2',
      BACKFILL_CONCURRENCY: '8',
      BACKFILL_TENANT_CONCURRENCY: '8',
      BACKFILL_PAGES_PER_JOB: '50',
      MAINTENANCE_INTERVAL_MS: '3600000',
      ...extra,
    });
    const startWorker = (extra: Record<string, string>) => {
      const w = spawn(process.execPath, ['dist/worker.js'], {
        cwd: SERVER,
        env: workerEnv(extra),
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      workers.push(w);
      return w;
    };
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const backfill = new Queue('backfill', { connection: redis, prefix });

    // --- unlimited: throughput ---------------------------------------------------------
    const worker = startWorker({ STRIPE_RATE_LIMIT_TEST: '0' });
    await sleep(1500);
    const t0 = performance.now();
    await backfill.add('backfill-tenant', { tenantId: tenant, reason: 'initial' });
    let status = 'running';
    let last = 0;
    while (status === 'running' || status === 'none') {
      await sleep(1000);
      const r = await db.query<{ status: string; objects: number }>(
        `SELECT r.status, coalesce(sum(w.objects), 0)::int AS objects
           FROM backfill_runs r LEFT JOIN backfill_windows w ON w.run_id = r.id
          WHERE r.tenant_id = $1 GROUP BY r.status`,
        [tenant],
      );
      status = r.rows[0]?.status ?? 'none';
      const objects = r.rows[0]?.objects ?? 0;
      const s = (performance.now() - t0) / 1000;
      log(
        `  ${s.toFixed(0)} s: ${objects.toLocaleString()} objects (${Math.round(objects - last).toLocaleString()}/s)`,
      );
      last = objects;
      if (s > 1800) throw new Error('the backfill took more than 30 minutes');
    }
    const seconds = (performance.now() - t0) / 1000;
    if (status !== 'succeeded') throw new Error(`backfill ${status}`);
    const stored: Record<string, number> = {};
    for (const [resource, table] of [
      ['charge', 'charges'],
      ['payment_intent', 'payment_intents'],
      ['balance_transaction', 'balance_transactions'],
      ['customer', 'customers'],
      ['refund', 'refunds'],
      ['dispute', 'disputes'],
      ['payout', 'payouts'],
      ['early_fraud_warning', 'early_fraud_warnings'],
      ['subscription', 'subscriptions'],
      ['invoice', 'invoices'],
      ['product', 'products'],
      ['price', 'prices'],
    ] as const) {
      stored[resource] = (
        await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1`,
          [tenant],
        )
      ).rows[0]!.n;
    }
    const storedTotal = Object.values(stored).reduce((a, b) => a + b, 0);
    for (const [k, v] of Object.entries(expected)) {
      if (stored[k] !== v) throw new Error(`${k}: stored ${stored[k]} of ${v}`);
    }
    await stop(worker);

    // --- the peer: @supabase/stripe-sync-engine on the same data ------------------------
    log(`peer: @supabase/stripe-sync-engine on the same account (at most ${peerSeconds} s)…`);
    const peerTables = [
      'customers',
      'charges',
      'payment_intents',
      'refunds',
      'disputes',
      'early_fraud_warnings',
      'subscriptions',
      'invoices',
      'products',
      'prices',
    ];
    const peerCount = async () => {
      let n = 0;
      for (const t of peerTables) {
        const r = await db
          .query<{ n: number }>(`SELECT count(*)::int AS n FROM stripe.${t}`)
          .catch(() => ({ rows: [{ n: 0 }] }));
        n += r.rows[0]!.n;
      }
      return n;
    };
    const peer = spawn(process.execPath, ['--import', 'tsx', 'bench/peer-sync.ts'], {
      cwd: SERVER,
      env: {
        ...process.env,
        PEER_DATABASE_URL: dbUrl(database),
        PEER_STRIPE_URL: emuUrl,
        PEER_ACCOUNT: account,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let peerOut = '';
    peer.stdout.on('data', (c: Buffer) => (peerOut += c.toString()));
    const p0 = performance.now();
    let peerDone = false;
    peer.once('exit', () => (peerDone = true));
    while (!peerDone && (performance.now() - p0) / 1000 < peerSeconds) {
      await sleep(2000);
      log(
        `  peer ${((performance.now() - p0) / 1000).toFixed(0)} s: ${(await peerCount()).toLocaleString()} objects`,
      );
    }
    const peerElapsed = (performance.now() - p0) / 1000;
    if (!peerDone) await stop(peer);
    const peerObjects = await peerCount();
    const oursSubset = [
      'customer',
      'charge',
      'payment_intent',
      'refund',
      'dispute',
      'early_fraud_warning',
      'subscription',
      'invoice',
      'product',
      'price',
    ].reduce((a, k) => a + (stored[k] ?? 0), 0);
    const peerRate = peerObjects / peerElapsed;
    const ourRate = storedTotal / seconds;
    for (const line of peerOut.trim().split('\n').filter(Boolean)) log(`  peer ${line}`);

    // --- limited: Stripe's 25/s on, ours at the default --------------------------------
    log(
      `rate-limited phase: Stripe's test limit on, our limiter at its default, ${limitedSeconds} s…`,
    );
    await control('faults', { rateLimit: { enabled: true, test: 25 } });
    await db.query(`UPDATE backfill_runs SET status = 'canceled' WHERE tenant_id = $1`, [tenant]);
    const limited = startWorker({});
    await sleep(1500);
    const info = async () =>
      (
        (await (await fetch(`${emuUrl}/_emulator/info`)).json()) as {
          stats: { requests: number; rateLimited: number };
        }
      ).stats;
    const before = await info();
    const l0 = performance.now();
    await backfill.add('backfill-tenant', { tenantId: tenant, reason: 'manual' });
    await sleep(limitedSeconds * 1000);
    const after = await info();
    const limitedElapsed = (performance.now() - l0) / 1000;
    const failed = (
      await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM backfill_windows w JOIN backfill_runs r ON r.id = w.run_id
        WHERE r.tenant_id = $1 AND r.status <> 'canceled' AND w.status = 'failed'`,
        [tenant],
      )
    ).rows[0]!.n;
    await stop(limited);
    await backfill.obliterate({ force: true }).catch(() => undefined);
    await backfill.close();
    redis.disconnect();
    const rate = (after.requests - before.requests) / limitedElapsed;

    console.log(
      '\nSummary (2-core machine: emulator, worker, Postgres and Redis on the same host)',
    );
    console.log(
      `  objects stored        ${storedTotal.toLocaleString()} (every resource matches the emulator's count)`,
    );
    console.log(
      `  time                  ${seconds.toFixed(1)} s, ${Math.round(storedTotal / seconds).toLocaleString()} objects/s end to end (target ≥ 5,000)`,
    );
    console.log(
      `  peer                  stripe-sync-engine loaded ${peerObjects.toLocaleString()} of the ${oursSubset.toLocaleString()} objects it handles (customers, charges, payment intents, refunds, disputes, early fraud warnings, subscriptions, invoices, products, prices) in ${peerElapsed.toFixed(1)} s${peerDone ? '' : ' (stopped at the time bound)'} = ${Math.round(peerRate).toLocaleString()} objects/s`,
    );
    console.log(
      `  ratio                 DisputeDesk ${Math.round(ourRate).toLocaleString()} / peer ${Math.round(peerRate).toLocaleString()} objects/s = ${(ourRate / peerRate).toFixed(1)}×`,
    );
    console.log(
      `  rate-limited phase    ${rate.toFixed(1)} requests/s over ${limitedElapsed.toFixed(0)} s = ${((rate / 25) * 100).toFixed(0)} % of Stripe's 25/s (target ≥ 90 %); ` +
        `${after.rateLimited - before.rateLimited} answered 429; ${failed} windows failed`,
    );
  } finally {
    await db.end().catch(() => undefined);
    for (const w of workers) await stop(w);
    await stop(emulator);
    await admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
  }
}

await main();
