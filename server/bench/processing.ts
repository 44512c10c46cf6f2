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
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { check, ours, payments, plan, type Plan } from './processing-runs.ts';
import {
  buildServer,
  createBenchDatabase,
  dbUrl,
  dropBenchDatabase,
  ROOT,
  SERVER,
} from './support.ts';

const workerCounts = (process.env.BENCH_WORKERS ?? '1,2').split(',').map(Number);
const peerConcurrency = Number(process.env.BENCH_PEER_CONCURRENCY ?? 10);
const log = (msg: string) => console.log(`[bench:processing] ${msg}`);

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
