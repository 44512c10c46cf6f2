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
import { interleaved, type Interleaved } from './processing-interleaved.ts';
import { check, ours, payments, plan, type Plan } from './processing-runs.ts';
import { describeInterval, ratioInterval } from './ratio-interval.ts';
import {
  buildServer,
  createBenchDatabase,
  dbUrl,
  dropBenchDatabase,
  ROOT,
  SERVER,
  settleWrites,
} from './support.ts';

/** BENCH_WORKERS: worker process counts, each `n`, `n:c` (n processes running c jobs each), either
 * with `@socket` for an API and workers that reach Postgres over its Unix socket (BENCH_SOCKET_DIR,
 * default /var/run/postgresql) instead of BENCH_DATABASE_URL's TCP: `1,1@socket` compares the two. */
const socketDir = process.env.BENCH_SOCKET_DIR ?? '/var/run/postgresql';
const setups = (process.env.BENCH_WORKERS ?? '1,2').split(',').map((spec) => {
  const [count, via] = spec.split('@') as [string, string | undefined];
  if (via !== undefined && via !== 'socket') throw new Error(`BENCH_WORKERS: unknown @${via}`);
  const [workers, concurrency] = count.split(':').map(Number) as [number, number | undefined];
  return {
    workers,
    concurrency,
    socketDir: via ? socketDir : undefined,
    name: `×${workers}${concurrency ? ` (${concurrency} jobs each)` : ''}${via ? ' over the socket' : ''}`,
    label: `${concurrency ? `c${concurrency}` : ''}${via ? 's' : ''}`,
  };
});
const peerConcurrency = Number(process.env.BENCH_PEER_CONCURRENCY ?? 10);
const log = (msg: string) => console.log(`[bench:processing] ${msg}`);

async function peer(p: Plan, runId: string) {
  const database = `dd_bench_proc_${runId}_peer`;
  await createBenchDatabase(database);
  const file = path.join(os.tmpdir(), `${database}.json`);
  writeFileSync(file, JSON.stringify(p.bodies.map((b) => b.body)));
  const warmupFile = path.join(os.tmpdir(), `${database}.warmup.json`);
  if (p.warmup) writeFileSync(warmupFile, JSON.stringify(p.warmup.bodies.map((b) => b.body)));
  const c = new pg.Client({ connectionString: dbUrl(database) });
  await c.connect();
  try {
    await settleWrites();
    log(`peer (stripe-sync-engine processEvent, ${peerConcurrency} at a time)…`);
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/peer-process.ts'], {
      cwd: SERVER,
      env: {
        ...process.env,
        PEER_DATABASE_URL: dbUrl(database),
        PEER_EVENTS_FILE: file,
        ...(p.warmup ? { PEER_WARMUP_FILE: warmupFile } : {}),
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
    rmSync(warmupFile, { force: true });
    await dropBenchDatabase(database);
  }
}

/** Rounds of every worker count and the peer, alternated: this machine moves by a third between
 * runs, so "two workers never slower than one" is judged pair by pair, within a round, and the
 * worker counts take turns going first. */
const rounds = Number(process.env.BENCH_ROUNDS ?? 1);
/** BENCH_INTERLEAVED: comparisons of the first two worker setups taking turns on the host
 * (processing-interleaved.ts), after the rounds; BENCH_SLICE_MS: each turn's length. */
const interleavings = setups.length < 2 ? 0 : Number(process.env.BENCH_INTERLEAVED ?? 1);
const sliceMs = Number(process.env.BENCH_SLICE_MS ?? 1000);
const min = (xs: number[]) => Math.min(...xs);
/** A figure, or a dash where nothing was counted (a taking-turns comparison too small for a slice:
 * no pairs, so min is Infinity and median NaN). */
const shown = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : '—');
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main() {
  const started = Date.now();
  const runId = Date.now().toString(36);
  log('building the server (tsc)…');
  buildServer();
  const p = plan(runId);
  log(
    `${p.bodies.length} events: ${payments} payments (intent + charge), ${p.disputes} disputes × 3 events, 50 tenants, shuffled; ${rounds} round(s); first, untimed, ${p.warmup?.bodies.length ?? 0} warm-up events of 50 other tenants`,
  );
  type Ours = Awaited<ReturnType<typeof ours>>;
  const perRound: Array<{ ours: Map<string, Ours>; peer: Awaited<ReturnType<typeof peer>> }> = [];
  for (let r = 1; r <= rounds; r++) {
    if (rounds > 1) log(`round ${r} of ${rounds}`);
    const results = new Map<string, Ours>();
    // Every other round in the reverse order (1, 2 then 2, 1): no worker count always goes first.
    const order = r % 2 === 1 ? setups : [...setups].reverse();
    for (const s of order)
      results.set(
        s.name,
        await ours(p, s.workers, runId, {
          label: `${s.label}${rounds > 1 ? `r${r}` : ''}` || undefined,
          concurrency: s.concurrency,
          socketDir: s.socketDir,
        }),
      );
    perRound.push({ ours: results, peer: await peer(p, rounds > 1 ? `${runId}r${r}` : runId) });
  }
  const turns: Interleaved[] = [];
  for (let k = 1; k <= interleavings; k++) {
    const [a, b] = setups as [(typeof setups)[0], (typeof setups)[0]];
    const setup = (x: typeof a) => ({
      name: x.name,
      workers: x.workers,
      opts: { label: `${x.label}t${k}`, concurrency: x.concurrency, socketDir: x.socketDir },
    });
    // Every other comparison prepares B first (bench/processing-interleaved.ts).
    turns.push(await interleaved(p, [setup(a), setup(b)], runId, sliceMs, k % 2 === 0));
  }
  const cpuCell = (r: Ours) =>
    r.cpu
      ? `${((r.cpu.worker * 1000) / p.bodies.length).toFixed(2)} / ${((r.cpu.postgres * 1000) / p.bodies.length).toFixed(2)}`
      : '—';
  const rows = perRound.flatMap(({ ours: results, peer: pr }, i) => [
    ...[...results].map(
      ([w, r]) =>
        `| ${rounds > 1 ? `${i + 1} | ` : ''}DisputeDesk, ${w} worker process(es) | ${r.perSecond.toFixed(0)} | ${r.seconds.toFixed(1)} | ${(r.perSecond / pr.perSecond).toFixed(2)} | ${cpuCell(r)} | ${r.host} | ${r.problems.length ? r.problems.join('; ') : 'correct'} |`,
    ),
    `| ${rounds > 1 ? `${i + 1} | ` : ''}stripe-sync-engine processEvent, ${peerConcurrency} at a time | ${pr.perSecond.toFixed(0)} | ${pr.seconds.toFixed(1)} | 1.00 | — | — | ${pr.problems.length ? pr.problems.join('; ') : 'correct'} |`,
  ]);
  // Within each round: every worker count against the peer, and against the first worker count.
  const judged: string[] = [];
  const first = setups[0]!.name;
  for (const { name: w } of perRound.length ? setups : []) {
    const toPeer = perRound.map((r) => r.ours.get(w)!.perSecond / r.peer.perSecond);
    judged.push(
      `${w} against the peer, per round: ${toPeer.map((x) => x.toFixed(2)).join(', ')} (lowest ${min(toPeer).toFixed(2)}, median ${median(toPeer).toFixed(2)})`,
    );
    if (w !== first) {
      const toFirst = perRound.map((r) => r.ours.get(w)!.perSecond / r.ours.get(first)!.perSecond);
      judged.push(
        `${w} against ${first}, per round: ${toFirst.map((x) => x.toFixed(2)).join(', ')} (lowest ${min(toFirst).toFixed(2)}, median ${median(toFirst).toFixed(2)})`,
      );
    }
  }
  const turnRows = turns.flatMap((t, k) =>
    t.setups.map(
      (s) =>
        `| ${k + 1} | DisputeDesk, ${s.name} worker process(es) | ${shown(s.perSecond, 0)} | ${s.seconds.toFixed(1)} (${s.events} events) | ${shown(s.cpu.worker, 2)} / ${shown(s.cpu.postgres, 2)} | ${shown(s.busyCores, 2)} | ${shown(s.transactions, 2)} | ${s.problems.length ? s.problems.join('; ') : 'correct'} |`,
    ),
  );
  const allPairs = turns.flatMap((t) => t.pairs);
  const turnJudged = turns.map((t, k) => {
    const [a, b] = t.setups as [Interleaved['setups'][0], Interleaved['setups'][0]];
    return `${b.name} against ${a.name}, taking turns (${k + 1}): ${shown(b.perSecond / a.perSecond, 2)} over ${t.pairs.length} pairs of slices (lowest pair ${shown(min(t.pairs), 2)}, median ${shown(median(t.pairs), 2)}; geometric mean ${describeInterval(ratioInterval(t.pairs))})`;
  });
  // The verdict on "B never slower than A", from every pair of every comparison (ratio-interval.ts).
  const pooled = ratioInterval(allPairs);
  const [nameA, nameB] = [setups[0]!.name, setups[1]?.name];
  const verdict =
    pooled.n === 0
      ? `${nameB} against ${nameA}: no pair of slices counted (too few events for ${sliceMs} ms slices)`
      : `${nameB} against ${nameA}, every pair of slices: ${describeInterval(pooled)} — ${
          pooled.low >= 1
            ? `${nameB} not slower than ${nameA}`
            : pooled.high <= 1
              ? `${nameB} SLOWER than ${nameA}`
              : 'not told apart (the interval holds 1)'
        }`;
  const interleavedPart = turns.length
    ? [
        '',
        `Taking turns: both setups ready side by side, each one's workers running for ${sliceMs} ms while the other's are stopped (A B B A …), until either has processed everything`,
        '',
        '| turn | processor | events/s in its slices | seconds counted | CPU ms per event (worker / Postgres) | cores busy in its slices | writing transactions per 100 events | rows |',
        '|---|---|---|---|---|---|---|---|',
        ...turnRows,
        '',
        ...turnJudged.map((j) => `- ${j}`),
        `- ${verdict}`,
      ]
    : [];
  const summary = [
    `bench:processing — ${new Date().toISOString()} — ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), Node ${process.version}`,
    `${p.bodies.length} stored events (${payments} payments, ${p.disputes} disputes with three events each) over 50 tenants, shuffled; the clock started with the events stored and the processors warm (${p.warmup ? `${p.warmup.bodies.length} events of 50 other tenants processed first, untimed` : 'BENCH_WARMUP=0: cold'}); ${rounds} round(s), each worker count and the peer in turn`,
    ...(rows.length
      ? [
          '',
          `| ${rounds > 1 ? 'round | ' : ''}processor | events/s | seconds | ratio to peer | CPU ms per event (worker / Postgres) | the host in the timed window (CPU, WAL) | rows |`,
          `|${rounds > 1 ? '---|' : ''}---|---|---|---|---|---|---|`,
          ...rows,
        ]
      : []),
    '',
    ...judged.map((j) => `- ${j}`),
    ...interleavedPart,
    '',
    `Total run ${((Date.now() - started) / 1000).toFixed(0)} s.`,
  ].join('\n');
  console.log(`\n${summary}\n`);
  mkdirSync(path.join(ROOT, '.bench'), { recursive: true });
  writeFileSync(path.join(ROOT, '.bench', 'processing.md'), `${summary}\n`);
  if (
    perRound.some((r) => [...r.ours.values()].some((x) => x.problems.length)) ||
    turns.some((t) => t.setups.some((x) => x.problems.length))
  )
    process.exit(1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
