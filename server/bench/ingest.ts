// npm run bench:ingest — durable webhook ingestion throughput and latency, against the bare
// verify-and-acknowledge handler of the seed document, in the same run on the same machine.
//
// The API runs as its own process (built JS, as in production) on a fresh database. Closed-loop
// levels are driven by wrk (C; bench/wrk.ts) so the generator leaves the 2 cores to the servers it
// measures; the fixed-rate level, by the Node generator (bench/load.ts). Every level is bounded in
// time and count. At the end, every acknowledged event id is looked up in Postgres: the run fails
// if one is missing.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
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
import { Redis } from 'ioredis';
import { dispute, event } from '../test/support/fixtures.ts';
import { freePort } from '../test/support/redis-server.ts';
import { runLoad, type LoadOptions, type LoadResult } from './load.ts';
import { ensureWrk, runWrk } from './wrk.ts';
import { cpuSnapshot, cpuSpent, perEvent } from './cpu.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const levels = (process.env.BENCH_CONCURRENCY ?? '4,16,64,128').split(',').map(Number);
const fixedRate = Number(process.env.BENCH_RATE ?? 500);
const processCounts = (process.env.BENCH_API_PROCESSES ?? '1,2').split(',').map(Number);
const MAX_REQUESTS = 2_000_000;
/** wrk needs its events signed beforehand: enough for this rate over a level. */
// (7,000 capped the API at ~6,960/s on 2026-12-01: the pool ran out, not the API.)
const maxRate = Number(process.env.BENCH_MAX_RATE ?? 14_000);
let useWrk = process.env.BENCH_GENERATOR !== 'node';
/** BENCH_PROFILE=<dir>: the API processes write V8 CPU profiles there. */
const profileArgs = process.env.BENCH_PROFILE
  ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
  : [];
const SECRET = `whsec_bench_${randomBytes(8).toString('hex')}`;
const log = (msg: string) => console.log(`[bench:ingest] ${msg}`);

/**
 * Cheap, like wrk: one realistic event serialized per account, then fresh ids spliced in per
 * request, so the generator leaves as much CPU as possible to the servers it measures.
 */
function eventMaker(accounts: string[]) {
  const templates = accounts.map((account) => {
    const e = event(
      'charge.dispute.created',
      dispute({ networkReasonCode: '10.4', id: 'du_TEMPLATEID' }),
      { account, id: 'evt_TEMPLATEID' },
    );
    return JSON.stringify(e).split('TEMPLATEID');
  });
  const run = randomBytes(4).toString('hex');
  let i = 0;
  return () => {
    const parts = templates[i % templates.length]!;
    const id = `${run}${(i++).toString(36)}`;
    return { id: `evt_${id}`, body: parts.join(id) };
  };
}

const fmt = (r: LoadResult) =>
  `${r.perSecond.toFixed(0).padStart(6)} /s  p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms` +
  (Object.keys(r.errors).length ? `  errors ${JSON.stringify(r.errors)}` : '');

/** One closed-loop level: wrk when available, else the Node generator. */
function closedLoop(opts: Omit<LoadOptions, 'maxRequests'> & { concurrency: number }) {
  if (!useWrk) return runLoad({ ...opts, maxRequests: MAX_REQUESTS });
  return runWrk({
    ...opts,
    seconds: opts.durationMs / 1000,
    perThread: Math.ceil((maxRate * opts.durationMs) / 1000 / Math.min(2, opts.concurrency)),
  });
}

async function main() {
  const started = Date.now();
  useWrk = useWrk && ensureWrk(log);
  log(`closed-loop generator: ${useWrk ? 'wrk' : 'Node (wrk not available)'}`);
  const runId = `${Date.now().toString(36)}`;
  const database = `dd_bench_${runId}`;
  const prefix = `ddbench-${runId}`;

  log('building the server (tsc)…');
  buildServer();

  log(`creating database ${database} and applying migrations…`);
  await createBenchDatabase(database);

  const accounts = Array.from({ length: 50 }, (_, i) => `acct_bench${runId}${i}`);
  const c = new pg.Client({ connectionString: dbUrl(database) });
  await c.connect();
  await insertActiveTenants(c, accounts);

  const ours: Record<string, LoadResult> = {};
  const bare: Record<string, LoadResult> = {};
  /** CPU per answered event by process group, per level (as printed). */
  const cpuOf: Record<string, string> = {};
  const allAcked: string[] = [];
  try {
    // --- DisputeDesk API, with 1 and 2 processes ----------------------------------------
    for (const processes of processCounts) {
      const port = await freePort();
      const api = spawn(process.execPath, [...profileArgs, 'dist/main.js'], {
        cwd: SERVER,
        stdio: ['ignore', 'ignore', 'inherit'],
        env: serverEnv(dbUrl(database), prefix, {
          PORT: String(port),
          DATABASE_POOL_SIZE: process.env.BENCH_POOL_SIZE ?? '10',
          API_PROCESSES: String(processes),
          STRIPE_CONNECT_WEBHOOK_SECRETS: SECRET,
        }),
      });
      const origin = `http://127.0.0.1:${port}`;
      await waitHealthy(`${origin}/healthz`, api);
      const common = { origin, secret: SECRET, makeEvent: eventMaker(accounts) };
      log('warming up (2 s)…');
      allAcked.push(
        ...(
          await closedLoop({
            ...common,
            path: '/webhooks/stripe/connect',
            durationMs: 2000,
            concurrency: 32,
          })
        ).ackedIds,
      );
      for (const c of levels) {
        const before = cpuSnapshot();
        const r = await closedLoop({
          ...common,
          path: '/webhooks/stripe/connect',
          durationMs: seconds * 1000,
          concurrency: c,
        });
        const cpu = cpuSpent(before, cpuSnapshot(), { api: api.pid! });
        ours[`p${processes}c${c}`] = r;
        cpuOf[`p${processes}c${c}`] = perEvent(cpu, r.acked);
        allAcked.push(...r.ackedIds);
        log(`DisputeDesk ×${processes} concurrency ${String(c).padStart(3)}: ${fmt(r)}`);
        log(`  CPU per event: ${cpuOf[`p${processes}c${c}`]}`);
      }
      const rated = await runLoad({
        ...common,
        maxRequests: MAX_REQUESTS,
        path: '/webhooks/stripe/connect',
        durationMs: seconds * 1000,
        ratePerSecond: fixedRate,
      });
      ours[`p${processes}rate${fixedRate}`] = rated;
      allAcked.push(...rated.ackedIds);
      log(`DisputeDesk ×${processes} fixed ${fixedRate}/s:       ${fmt(rated)}`);
      await stop(api);
    }

    // --- every acknowledged event must be in Postgres --------------------------------------
    log(`checking that all ${allAcked.length} acknowledged events are stored…`);
    let found = 0;
    for (let i = 0; i < allAcked.length; i += 50_000) {
      const { rows } = await c.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM raw_events WHERE stripe_event_id = ANY($1)',
        [allAcked.slice(i, i + 50_000)],
      );
      found += rows[0]!.n;
    }
    if (found !== allAcked.length)
      throw new Error(`LOSS: ${allAcked.length - found} acknowledged events are not stored`);
    log(`all ${found} acknowledged events are stored`);

    // --- the bare handler ----------------------------------------------------------------
    const barePort = await freePort();
    const peer = spawn(process.execPath, ['--import', 'tsx', 'bench/bare-webhook-server.ts'], {
      cwd: SERVER,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        NODE_ENV: 'production',
        PORT: String(barePort),
        BARE_WEBHOOK_SECRET: SECRET,
      },
    });
    const bareOrigin = `http://127.0.0.1:${barePort}`;
    // It has no health route: any HTTP answer means it is up.
    await waitHealthy(`${bareOrigin}/webhook`, peer).catch(async () => {
      await fetch(`${bareOrigin}/webhook`);
    });
    const bareCommon = { origin: bareOrigin, secret: SECRET, makeEvent: eventMaker(accounts) };
    await closedLoop({ ...bareCommon, path: '/webhook', durationMs: 2000, concurrency: 32 });
    for (const c of levels) {
      const before = cpuSnapshot();
      const r = await closedLoop({
        ...bareCommon,
        path: '/webhook',
        durationMs: seconds * 1000,
        concurrency: c,
      });
      const cpu = cpuSpent(before, cpuSnapshot(), { bare: peer.pid! });
      bare[`c${c}`] = r;
      cpuOf[`c${c}`] = perEvent(cpu, r.acked);
      log(`bare handler concurrency ${String(c).padStart(3)}: ${fmt(r)}`);
      log(`  CPU per event: ${cpuOf[`c${c}`]}`);
    }
    const bareRated = await runLoad({
      ...bareCommon,
      maxRequests: MAX_REQUESTS,
      path: '/webhook',
      durationMs: seconds * 1000,
      ratePerSecond: fixedRate,
    });
    bare[`rate${fixedRate}`] = bareRated;
    log(`bare handler fixed ${fixedRate}/s:       ${fmt(bareRated)}`);
    await stop(peer);
  } finally {
    await c.end();
    await dropBenchDatabase(database);
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }

  // --- summary --------------------------------------------------------------------------
  const bestOf = (r: Record<string, LoadResult>, prefix: string) =>
    Math.max(...levels.map((c) => r[`${prefix}c${c}`]!.perSecond));
  const header = [
    'concurrency',
    ...processCounts.map((p) => `DisputeDesk ×${p} events/s (p50 / p99 ms)`),
    'bare events/s (p99 ms)',
    ...processCounts.map((p) => `ratio ×${p}`),
  ];
  const rows = levels.map((c) => {
    const b = bare[`c${c}`]!;
    const cells = processCounts.map((p) => {
      const o = ours[`p${p}c${c}`]!;
      return `${o.perSecond.toFixed(0)} (${o.p50.toFixed(1)} / ${o.p99.toFixed(1)})`;
    });
    const ratios = processCounts.map((p) =>
      (ours[`p${p}c${c}`]!.perSecond / b.perSecond).toFixed(2),
    );
    return `| ${c} | ${cells.join(' | ')} | ${b.perSecond.toFixed(0)} (${b.p99.toFixed(1)}) | ${ratios.join(' | ')} |`;
  });
  const rateLines = processCounts.map((p) => {
    const r = ours[`p${p}rate${fixedRate}`]!;
    return `Fixed ${fixedRate} events/s, DisputeDesk ×${p}: p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms (${r.acked} acknowledged).`;
  });
  const cpuLines = levels.map(
    (c) =>
      `CPU per answered event, concurrency ${c}: ${processCounts.map((p) => `×${p} ${cpuOf[`p${p}c${c}`]}`).join('; ')}; bare: ${cpuOf[`c${c}`]}.`,
  );
  const b = bare[`rate${fixedRate}`]!;
  const summary = [
    `bench:ingest — ${new Date().toISOString()} — ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), Node ${process.version}`,
    `${seconds} s per level, closed loop by ${useWrk ? 'wrk' : 'the Node generator'}, fixed rate by the Node generator, Connect endpoint, ~${(eventMaker(accounts)().body.length / 1024).toFixed(1)} KiB charge.dispute.created events over 50 tenants; ×N = API processes`,
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows,
    '',
    ...rateLines,
    ...cpuLines,
    `Fixed ${fixedRate} events/s, bare handler: p50 ${b.p50.toFixed(1)} ms, p99 ${b.p99.toFixed(1)} ms.`,
    `Best throughput: ${processCounts.map((p) => `DisputeDesk ×${p} ${bestOf(ours, `p${p}`).toFixed(0)}/s (ratio ${(bestOf(ours, `p${p}`) / bestOf(bare, '')).toFixed(2)})`).join(', ')}; bare ${bestOf(bare, '').toFixed(0)}/s.`,
    `Every acknowledged event (${allAcked.length}) was found in Postgres. Total run ${((Date.now() - started) / 1000).toFixed(0)} s.`,
  ].join('\n');
  console.log(`\n${summary}\n`);
  mkdirSync(path.join(ROOT, '.bench'), { recursive: true });
  writeFileSync(path.join(ROOT, '.bench', 'ingest.md'), `${summary}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
