// The processing runs of bench:processing, shared with bench:analytics (which compares event
// processing with the analytics aggregates on and off): a plan of webhook events over 50
// tenants, and one run of our API + workers over it in a fresh database, timed and checked.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES } from '../src/queues.ts';
import { charge, dispute, event, paymentIntent } from '../test/support/fixtures.ts';
import { freePort } from '../test/support/redis-server.ts';
import { cpuSecondsOf, cpuSnapshot, cpuSpent, hostCpu, hostCpuBetween } from './cpu.ts';
import { runLoad } from './load.ts';
import {
  createBenchDatabase,
  dbUrl,
  dropBenchDatabase,
  insertActiveTenants,
  redisUrl,
  SERVER,
  serverEnv,
  settleWrites,
  stop,
  waitHealthy,
} from './support.ts';

// 32,000 payments = 73,600 events, about 10 s per processor here: with the 8,000 of before (2.5 s)
// each worker process's start-up (JIT, connections, prepared statements) was a large part of the
// time, and a second process paid it twice (worker CPU per event 0.13 ms against 0.07 ms in long runs).
export const payments = Number(process.env.BENCH_PAYMENTS ?? 32000);
// Worker processes live for days; a 10 s run of cold ones measures V8 warming up as much as the
// design: worker CPU per event fell from 0.21 ms in the first second to 0.06–0.07 ms after five
// (bench:processing taking turns with each slice's CPU printed, 2026-12-04), and each process warms up on its own share, so
// two took twice as long. Before the clock, every processor (ours and the peer) first processes
// BENCH_WARMUP payments' events of other tenants, untimed; 0 measures cold processes.
export const warmupPayments = Number(process.env.BENCH_WARMUP ?? 8000);
const SECRET = `whsec_bench_${randomBytes(8).toString('hex')}`;
/** BENCH_PROFILE=<dir>: the workers write V8 CPU profiles there. */
const profileArgs = process.env.BENCH_PROFILE
  ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
  : [];
const log = (msg: string) => console.log(`[bench:processing] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Plan {
  payments: number;
  bodies: Array<{ id: string; body: string }>;
  disputes: number;
  /** Disputes whose payment carries an order id (metadata.order_id), to be linked to it. */
  disputesWithOrder: number;
  accounts: string[];
  /** Processed before the clock starts, by other tenants (BENCH_WARMUP). */
  warmup?: Plan;
}

export function plan(runId: string, n = payments, warmup = warmupPayments): Plan {
  const accounts = Array.from({ length: 50 }, (_, i) => `acct_bproc${runId}${i}`);
  const bodies: Array<{ id: string; body: string }> = [];
  const base = Math.floor(Date.now() / 1000) - 86_400;
  let disputes = 0;
  let disputesWithOrder = 0;
  for (let i = 0; i < n; i++) {
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
  return {
    payments: n,
    bodies,
    disputes,
    disputesWithOrder,
    accounts,
    warmup: warmup > 0 ? plan(`${runId}w`, warmup, 0) : undefined,
  };
}

export async function count(c: pg.Client, sql: string) {
  return (await c.query<{ n: number }>(sql)).rows[0]!.n;
}

/** The rows both products must end with (the warm-up's too); the problems found (none: correct). */
export async function check(c: pg.Client, timed: Plan, schema: 'public' | 'stripe') {
  const problems: string[] = [];
  const w = timed.warmup;
  const p = {
    payments: timed.payments + (w?.payments ?? 0),
    disputes: timed.disputes + (w?.disputes ?? 0),
    disputesWithOrder: timed.disputesWithOrder + (w?.disputesWithOrder ?? 0),
  };
  const expect = async (what: string, sql: string, n: number) => {
    const got = await count(c, sql);
    if (got !== n) problems.push(`${what}: ${got}, expected ${n}`);
  };
  await expect(
    'payment intents',
    `SELECT count(*)::int n FROM ${schema}.payment_intents`,
    p.payments,
  );
  await expect('charges', `SELECT count(*)::int n FROM ${schema}.charges`, p.payments);
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

export interface RunOptions {
  /** Names the run's database and queue prefix (several runs with one worker count). */
  label?: string;
  /** EVENTS_WORKER_CONCURRENCY for this run's workers (else the environment's, or the default). */
  concurrency?: number;
  /** The API and workers reach Postgres over the Unix socket in this directory, not TCP. */
  socketDir?: string;
  /** Runs against the fresh database before anything is sent (bench:analytics turns triggers off). */
  setup?: (c: pg.Client) => Promise<void>;
}

/** A run made ready: its database holds the plan's events, stored through our API, and its
 * worker processes are up and consuming from a paused queue. */
export interface PreparedRun {
  workers: number;
  database: string;
  c: pg.Client;
  eventsQueue: Queue;
  processes: ChildProcess[];
  /** Events not yet processed: counted on the sweeper's partial index. */
  received(): Promise<number>;
  /** Whether any event is still received, for polling while a clock runs. */
  anyReceived(): Promise<boolean>;
  /** Until no event is left received; throws if a worker exits or after 10 minutes. */
  untilProcessed(): Promise<void>;
  /** Received and deferred (scans every stored body: only once a clock has stopped). */
  pending(): Promise<number>;
  /** This run's database's Postgres backends, but the one counting. */
  backendPids(): Promise<number[]>;
  close(): Promise<void>;
}

export async function prepareRun(
  p: Plan,
  workers: number,
  runId: string,
  opts: RunOptions = {},
): Promise<PreparedRun> {
  const tag = `${runId}_w${workers}${opts.label ? `_${opts.label}` : ''}`;
  const database = `dd_bench_proc_${tag}`;
  const prefix = `ddbench-proc-${tag.replaceAll('_', '-')}`;
  log(`×${workers} worker(s)${opts.label ? ` (${opts.label})` : ''}: creating ${database}…`);
  await createBenchDatabase(database);
  const c = new pg.Client({ connectionString: dbUrl(database) });
  await c.connect();
  const children: ChildProcess[] = [];
  const queueRedis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const eventsQueue = new Queue(QUEUE_NAMES.events, { connection: queueRedis, prefix });
  const close = async () => {
    // A stopped process (bench:processing's interleaved runs) gets SIGTERM only once continued.
    for (const ch of children) if (ch.exitCode === null) ch.kill('SIGCONT');
    for (const ch of children) await stop(ch);
    await eventsQueue.close();
    queueRedis.disconnect();
    await c.end();
    if (process.env.BENCH_KEEP_DATABASE === '1') log(`  kept database ${database}`);
    else await dropBenchDatabase(database);
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${prefix}:*`);
    // In slices: a long run leaves more keys than one call's arguments may spread.
    for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
    redis.disconnect();
  };
  try {
    await insertActiveTenants(c, [...p.accounts, ...(p.warmup?.accounts ?? [])]);
    await opts.setup?.(c);
    const port = await freePort();
    const url = new URL(dbUrl(database));
    if (opts.socketDir) url.searchParams.set('host', opts.socketDir);
    const env = serverEnv(url.toString(), prefix, {
      PORT: String(port),
      STRIPE_CONNECT_WEBHOOK_SECRETS: SECRET,
      ...(opts.concurrency ? { EVENTS_WORKER_CONCURRENCY: String(opts.concurrency) } : {}),
    });
    const api = spawn(process.execPath, ['dist/main.js'], {
      cwd: SERVER,
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(api);
    await waitHealthy(`http://127.0.0.1:${port}/healthz`, api);
    const send = async (bodies: Plan['bodies']) => {
      let i = 0;
      const sent = await runLoad({
        origin: `http://127.0.0.1:${port}`,
        path: '/webhooks/stripe/connect',
        secret: SECRET,
        makeEvent: () => bodies[i++]!,
        durationMs: 600_000,
        maxRequests: bodies.length,
        concurrency: 32,
      });
      if (sent.acked !== bodies.length)
        throw new Error(`only ${sent.acked} of ${bodies.length} events were acknowledged`);
      return sent;
    };
    // The clock starts when every worker process is up, warm and consuming, as the peer's starts
    // after its setup and warm-up: the events queue is paused while the processes start (module
    // loading, pools, the maintenance pass), resumed for the warm-up's events, paused again while
    // the timed events are stored, and resumed when the clock starts.
    if (p.warmup) await send(p.warmup.bodies);
    await eventsQueue.pause();
    const started = Array.from({ length: workers }, () =>
      spawn(process.execPath, [...profileArgs, 'dist/worker.js'], {
        cwd: SERVER,
        env,
        stdio: ['ignore', 'ignore', 'inherit'],
      }),
    );
    children.push(...started);
    const readyBy = performance.now() + 60_000;
    while ((await eventsQueue.getWorkers()).length < workers) {
      if (started.some((ch) => ch.exitCode !== null)) throw new Error('a worker exited');
      if (performance.now() > readyBy) throw new Error('the workers did not start');
      await sleep(50);
    }
    await sleep(500); // the maintenance pass each worker starts with
    const anyReceived = async () =>
      (
        await c.query<{ any: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM raw_events WHERE status = 'received') AS any`,
        )
      ).rows[0]!.any;
    /** Polls until no event is left received (the worker processes running). */
    const untilProcessed = async () => {
      const by = performance.now() + 600_000;
      while (await anyReceived()) {
        if (started.some((ch) => ch.exitCode !== null)) throw new Error('a worker exited');
        if (performance.now() > by) throw new Error('the events were not processed in 10 minutes');
        await sleep(100);
      }
    };
    if (p.warmup) {
      await eventsQueue.resume();
      await untilProcessed();
      await eventsQueue.pause();
      log(`  ${p.warmup.bodies.length} warm-up events processed`);
    }
    const sent = await send(p.bodies);
    log(`  ${sent.acked} events stored through the API (${sent.perSecond.toFixed(0)}/s)`);
    await stop(api);
    // Polled every 100 ms while the clock runs, so it must be cheap: until 2026-12-03 this was a
    // count over both statuses — a full scan of every stored body, ~100 ms of a Postgres core per
    // poll taken from the run it timed. Now the sweeper's partial index answers whether anything
    // is still received (and counts them for the progress line every 3 s); the deferred, which
    // this bench's active tenants never have, are counted once the clock has stopped.
    return {
      workers,
      database,
      c,
      eventsQueue,
      processes: started,
      received: () => count(c, `SELECT count(*)::int n FROM raw_events WHERE status = 'received'`),
      anyReceived,
      untilProcessed,
      pending: () =>
        count(c, `SELECT count(*)::int n FROM raw_events WHERE status IN ('received', 'deferred')`),
      backendPids: async () =>
        (
          await c.query<{ pid: number }>(
            'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
          )
        ).rows.map((r) => r.pid),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

export async function ours(p: Plan, workers: number, runId: string, opts: RunOptions = {}) {
  const run = await prepareRun(p, workers, runId, opts);
  const { c, eventsQueue, processes: started } = run;
  try {
    await settleWrites();
    const before = new Map(
      [...started.map((ch) => ch.pid!), ...(await run.backendPids())].map((pid) => [
        pid,
        cpuSecondsOf(pid),
      ]),
    );
    const wal0 = await walReading(c);
    const xid0 = await nextXid(c);
    const counts = await eventsQueue.getJobCounts('paused', 'wait');
    const jobs = (counts.paused ?? 0) + (counts.wait ?? 0);
    const host0 = hostCpu();
    const snap0 = cpuSnapshot();
    const t0 = performance.now();
    await eventsQueue.resume();
    let lastLog = t0;
    while (await run.anyReceived()) {
      if (started.some((ch) => ch.exitCode !== null)) throw new Error('a worker exited');
      if (performance.now() - t0 > 600_000)
        throw new Error(`timed out with ${await run.pending()} pending`);
      if (performance.now() - lastLog > 3000) {
        lastLog = performance.now();
        log(
          `  ${(p.bodies.length - (await run.received())).toLocaleString()} / ${p.bodies.length} processed`,
        );
      }
      await sleep(100);
    }
    const seconds = (performance.now() - t0) / 1000;
    // The end readings first: the deferred count below scans every body and must not be in them.
    const host1 = hostCpu();
    const snap1 = cpuSnapshot();
    const wal1 = await walReading(c);
    const xid1 = await nextXid(c);
    const left = await run.pending();
    if (left > 0) throw new Error(`${left} events were left deferred`);
    // The whole host: busy cores, and every Postgres process (WAL writer, checkpointer, other
    // databases' backends too) and Redis, per event: where the CPU the workers' own figures do not
    // name went.
    const all = cpuSpent(snap0, snap1, {});
    // Server-wide, like the host's CPU: nothing else writes while a bench runs.
    const walPerEvent = `WAL ${((Number(wal1.bytes) - Number(wal0.bytes)) / p.bodies.length / 1024).toFixed(2)} KiB per event (${((Number(wal1.fpi) - Number(wal0.fpi)) / p.bodies.length).toFixed(2)} full-page images)`;
    // Every transaction that wrote took a transaction id: how many processing transactions (and
    // second ones for events handed back) the events took, server-wide like the WAL.
    const writes = `${jobs} jobs, ${xid1 - xid0} writing transactions`;
    const host = `${hostCpuBetween(host0, host1, seconds)}; ${writes}; all Postgres ${((all.postgres! * 1000) / p.bodies.length).toFixed(2)} ms, Redis ${((all.redis! * 1000) / p.bodies.length).toFixed(3)} ms per event; ${walPerEvent}`;
    // CPU spent in the timed window by the workers and by their Postgres backends (this run's
    // database only).
    const spent = (pids: number[]) =>
      pids.reduce((sum, pid) => sum + cpuSecondsOf(pid) - (before.get(pid) ?? 0), 0);
    const cpu = {
      worker: spent(started.map((ch) => ch.pid!)),
      postgres: spent(await run.backendPids()),
    };
    const problems = await check(c, p, 'public');
    log(
      `  ×${workers}: ${(p.bodies.length / seconds).toFixed(0)} events/s (${seconds.toFixed(1)} s), CPU per event: worker ${((cpu.worker * 1000) / p.bodies.length).toFixed(2)} ms, Postgres ${((cpu.postgres * 1000) / p.bodies.length).toFixed(2)} ms; host ${host}${problems.length ? ` — WRONG: ${problems.join('; ')}` : ', rows correct'}`,
    );
    return { seconds, perSecond: p.bodies.length / seconds, problems, cpu, host };
  } finally {
    await run.close();
  }
}

/** The next transaction id to be assigned (reading it assigns none). */
export const nextXid = async (c: pg.Client) =>
  Number(
    (await c.query<{ x: string }>('SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x'))
      .rows[0]!.x,
  );

const walReading = async (c: pg.Client) =>
  (
    await c.query<{ bytes: string; fpi: string }>(
      'SELECT wal_bytes::text AS bytes, wal_fpi::text AS fpi FROM pg_stat_wal',
    )
  ).rows[0]!;
