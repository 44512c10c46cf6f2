// npm run bench:processing — how fast worker processes turn stored webhook events into normalized
// rows (payments, charges, disputes with their timeline), against @supabase/stripe-sync-engine
// applying the same events, in the same run on the same machine.
//
// For each worker count: a fresh database with 50 tenants, the events sent through the API (one
// process) while no worker runs, then the workers started and timed until every stored event is
// processed. The events are a shuffled mix over the 50 tenants: for each payment a
// payment_intent.succeeded and a charge.succeeded (half the tenants put an order id in the
// metadata); for 10 % of them a dispute's created, updated and closed events. Afterwards the
// rows are checked: every payment, charge and dispute stored once in its newest state, each
// dispute's three statuses in its timeline, the disputes of ordered payments linked to their
// order. The peer gets the same events (no tenants: it is single-account) and is checked the same
// way, without the timeline and the order links it does not make.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { charge, dispute, event, paymentIntent } from '../test/support/fixtures.ts';
import { freePort } from '../test/support/redis-server.ts';
import { runLoad } from './load.ts';
import {
  buildServer,
  createBenchDatabase,
  dbUrl,
  dropBenchDatabase,
  insertActiveTenants,
  redisUrl,
  ROOT,
  SERVER,
  serverEnv,
  stop,
  waitHealthy,
} from './support.ts';

const payments = Number(process.env.BENCH_PAYMENTS ?? 8000);
const workerCounts = (process.env.BENCH_WORKERS ?? '1,2').split(',').map(Number);
const peerConcurrency = Number(process.env.BENCH_PEER_CONCURRENCY ?? 10);
const SECRET = `whsec_bench_${randomBytes(8).toString('hex')}`;
/** BENCH_PROFILE=<dir>: the workers write V8 CPU profiles there. */
const profileArgs = process.env.BENCH_PROFILE
  ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
  : [];
const log = (msg: string) => console.log(`[bench:processing] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Plan {
  bodies: Array<{ id: string; body: string }>;
  disputes: number;
  /** Disputes whose payment carries an order id (metadata.order_id), to be linked to it. */
  disputesWithOrder: number;
  accounts: string[];
}

function plan(runId: string): Plan {
  const accounts = Array.from({ length: 50 }, (_, i) => `acct_bproc${runId}${i}`);
  const bodies: Array<{ id: string; body: string }> = [];
  const base = Math.floor(Date.now() / 1000) - 86_400;
  let disputes = 0;
  let disputesWithOrder = 0;
  for (let i = 0; i < payments; i++) {
    const account = accounts[i % accounts.length]!;
    const t = base + i;
    // Half the merchants put their order number in the payment's metadata.
    const ordered = (i % accounts.length) % 2 === 0;
    const metadata: Record<string, string> = ordered ? { order_id: `ORD-${i}` } : {};
    const pi = paymentIntent({ created: t, status: 'succeeded', metadata });
    const ch = charge({ created: t, payment_intent: pi.id, metadata });
    const add = (type: string, object: { id: string; object: string }, created: number) => {
      const e = event(type, object, { account, created });
      bodies.push({ id: e.id, body: JSON.stringify(e) });
    };
    add('payment_intent.succeeded', pi, t);
    add('charge.succeeded', ch, t);
    if (i % 10 === 0) {
      disputes++;
      if (ordered) disputesWithOrder++;
      const id = `du_bproc${runId}${i}`;
      const d = (status: 'needs_response' | 'under_review' | 'won' | 'lost') =>
        dispute({ id, status, charge: ch.id, paymentIntent: pi.id, created: t + 60 });
      add('charge.dispute.created', d('needs_response'), t + 60);
      add('charge.dispute.updated', d('under_review'), t + 120);
      add('charge.dispute.closed', d(i % 20 === 0 ? 'won' : 'lost'), t + 180);
    }
  }
  // Stripe does not promise order: shuffle (deterministically, for comparable runs).
  let seed = 42;
  const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (let i = bodies.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [bodies[i], bodies[j]] = [bodies[j]!, bodies[i]!];
  }
  return { bodies, disputes, disputesWithOrder, accounts };
}

/** User + system CPU seconds of processes on this machine (Linux /proc; 0 for any that is gone). */
function cpuSeconds(pids: number[]) {
  let ticks = 0;
  for (const pid of pids) {
    try {
      // The fields after the command name (which may hold spaces): utime and stime are 12th, 13th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      /* exited */
    }
  }
  return ticks / 100; // USER_HZ
}

async function count(c: pg.Client, sql: string) {
  return (await c.query<{ n: number }>(sql)).rows[0]!.n;
}

/** The rows both products must end with; the problems found (none: correct). */
async function check(c: pg.Client, p: Plan, schema: 'public' | 'stripe') {
  const problems: string[] = [];
  const expect = async (what: string, sql: string, n: number) => {
    const got = await count(c, sql);
    if (got !== n) problems.push(`${what}: ${got}, expected ${n}`);
  };
  await expect(
    'payment intents',
    `SELECT count(*)::int n FROM ${schema}.payment_intents`,
    payments,
  );
  await expect('charges', `SELECT count(*)::int n FROM ${schema}.charges`, payments);
  await expect('disputes', `SELECT count(*)::int n FROM ${schema}.disputes`, p.disputes);
  await expect(
    'disputes in their final state',
    `SELECT count(*)::int n FROM ${schema}.disputes WHERE ${schema === 'public' ? 'stripe_status' : 'status'} IN ('won', 'lost')`,
    p.disputes,
  );
  if (schema === 'public') {
    await expect('timeline rows', 'SELECT count(*)::int n FROM dispute_timeline', p.disputes * 3);
    await expect(
      'disputes linked to their order',
      'SELECT count(*)::int n FROM disputes WHERE order_id IS NOT NULL',
      p.disputesWithOrder,
    );
  }
  return problems;
}

async function ours(p: Plan, workers: number, runId: string) {
  const database = `dd_bench_proc_${runId}_w${workers}`;
  const prefix = `ddbench-proc-${runId}-w${workers}`;
  log(`×${workers} worker(s): creating ${database}…`);
  await createBenchDatabase(database);
  const c = new pg.Client({ connectionString: dbUrl(database) });
  await c.connect();
  const children: ChildProcess[] = [];
  try {
    await insertActiveTenants(c, p.accounts);
    const port = await freePort();
    const env = serverEnv(dbUrl(database), prefix, {
      PORT: String(port),
      STRIPE_CONNECT_WEBHOOK_SECRETS: SECRET,
    });
    const api = spawn(process.execPath, ['dist/main.js'], {
      cwd: SERVER,
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(api);
    await waitHealthy(`http://127.0.0.1:${port}/healthz`, api);
    let i = 0;
    const sent = await runLoad({
      origin: `http://127.0.0.1:${port}`,
      path: '/webhooks/stripe/connect',
      secret: SECRET,
      makeEvent: () => p.bodies[i++]!,
      durationMs: 600_000,
      maxRequests: p.bodies.length,
      concurrency: 32,
    });
    if (sent.acked !== p.bodies.length)
      throw new Error(`only ${sent.acked} of ${p.bodies.length} events were acknowledged`);
    log(`  ${sent.acked} events stored through the API (${sent.perSecond.toFixed(0)}/s)`);
    await stop(api);

    const pending = () =>
      count(c, `SELECT count(*)::int n FROM raw_events WHERE status IN ('received', 'deferred')`);
    const t0 = performance.now();
    const started = Array.from({ length: workers }, () =>
      spawn(process.execPath, [...profileArgs, 'dist/worker.js'], {
        cwd: SERVER,
        env,
        stdio: ['ignore', 'ignore', 'inherit'],
      }),
    );
    children.push(...started);
    let lastLog = t0;
    for (;;) {
      const left = await pending();
      if (left === 0) break;
      if (started.some((ch) => ch.exitCode !== null)) throw new Error('a worker exited');
      if (performance.now() - t0 > 600_000) throw new Error(`timed out with ${left} pending`);
      if (performance.now() - lastLog > 3000) {
        lastLog = performance.now();
        log(`  ${(p.bodies.length - left).toLocaleString()} / ${p.bodies.length} processed`);
      }
      await sleep(100);
    }
    const seconds = (performance.now() - t0) / 1000;
    // CPU spent by the workers and by their Postgres backends (this run's database only).
    const { rows: backends } = await c.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    const cpu = {
      worker: cpuSeconds(started.map((ch) => ch.pid!)),
      postgres: cpuSeconds(backends.map((b) => b.pid)),
    };
    const problems = await check(c, p, 'public');
    log(
      `  ×${workers}: ${(p.bodies.length / seconds).toFixed(0)} events/s (${seconds.toFixed(1)} s), CPU per event: worker ${((cpu.worker * 1000) / p.bodies.length).toFixed(2)} ms, Postgres ${((cpu.postgres * 1000) / p.bodies.length).toFixed(2)} ms${problems.length ? ` — WRONG: ${problems.join('; ')}` : ', rows correct'}`,
    );
    return { seconds, perSecond: p.bodies.length / seconds, problems, cpu };
  } finally {
    for (const ch of children) await stop(ch);
    await c.end();
    await dropBenchDatabase(database);
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
}

async function peer(p: Plan, runId: string) {
  const database = `dd_bench_proc_${runId}_peer`;
  await createBenchDatabase(database);
  const file = path.join(os.tmpdir(), `${database}.json`);
  writeFileSync(file, JSON.stringify(p.bodies.map((b) => b.body)));
  const c = new pg.Client({ connectionString: dbUrl(database) });
  await c.connect();
  try {
    log(`peer (stripe-sync-engine processEvent, ${peerConcurrency} at a time)…`);
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/peer-process.ts'], {
      cwd: SERVER,
      env: {
        ...process.env,
        PEER_DATABASE_URL: dbUrl(database),
        PEER_EVENTS_FILE: file,
        PEER_CONCURRENCY: String(peerConcurrency),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    if (code !== 0) throw new Error(`the peer exited with ${code}`);
    const { seconds } = JSON.parse(out.trim().split('\n').pop()!) as { seconds: number };
    const problems = await check(c, p, 'stripe');
    log(
      `  peer: ${(p.bodies.length / seconds).toFixed(0)} events/s (${seconds.toFixed(1)} s)${problems.length ? ` — WRONG: ${problems.join('; ')}` : ', rows correct'}`,
    );
    return { seconds, perSecond: p.bodies.length / seconds, problems };
  } finally {
    await c.end();
    rmSync(file, { force: true });
    await dropBenchDatabase(database);
  }
}

async function main() {
  const started = Date.now();
  const runId = Date.now().toString(36);
  log('building the server (tsc)…');
  buildServer();
  const p = plan(runId);
  log(
    `${p.bodies.length} events: ${payments} payments (intent + charge), ${p.disputes} disputes × 3 events, 50 tenants, shuffled`,
  );
  const results = new Map<string, Awaited<ReturnType<typeof ours>>>();
  for (const w of workerCounts) results.set(`×${w}`, await ours(p, w, runId));
  const peerResult = await peer(p, runId);
  const rows = [...results].map(
    ([k, r]) =>
      `| DisputeDesk, ${k} worker process(es) | ${r.perSecond.toFixed(0)} | ${r.seconds.toFixed(1)} | ${(r.perSecond / peerResult.perSecond).toFixed(2)} | ${r.cpu ? `${((r.cpu.worker * 1000) / p.bodies.length).toFixed(2)} / ${((r.cpu.postgres * 1000) / p.bodies.length).toFixed(2)}` : '—'} | ${r.problems.length ? r.problems.join('; ') : 'correct'} |`,
  );
  const summary = [
    `bench:processing — ${new Date().toISOString()} — ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), Node ${process.version}`,
    `${p.bodies.length} stored events (${payments} payments, ${p.disputes} disputes with three events each) over 50 tenants, shuffled; workers started after the events were stored`,
    '',
    '| processor | events/s | seconds | ratio to peer | CPU ms per event (worker / Postgres) | rows |',
    '|---|---|---|---|---|---|',
    ...rows,
    `| stripe-sync-engine processEvent, ${peerConcurrency} at a time | ${peerResult.perSecond.toFixed(0)} | ${peerResult.seconds.toFixed(1)} | 1.00 | — | ${peerResult.problems.length ? peerResult.problems.join('; ') : 'correct'} |`,
    '',
    `Total run ${((Date.now() - started) / 1000).toFixed(0)} s.`,
  ].join('\n');
  console.log(`\n${summary}\n`);
  mkdirSync(path.join(ROOT, '.bench'), { recursive: true });
  writeFileSync(path.join(ROOT, '.bench', 'processing.md'), `${summary}\n`);
  if ([...results.values()].some((r) => r.problems.length)) process.exit(1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
