// bench:processing's interleaved comparison of two worker setups. This machine's speed moves by a
// third within a minute (the same `pgbench -S -c 4 -T 5`, six times in a row on 2026-12-04:
// 29,761 to 42,720 tps), so two runs one after the other compare two moments of the host as much
// as two setups. Here both setups are made ready side by side (each its own database and queue,
// the same stored events), then take turns: one setup's worker processes run for a slice while
// the other's are stopped (SIGSTOP), in the order A B B A A B B A … until either has processed
// everything. A slice ends once the stopped setup's Postgres backends have finished what they
// were running, so neither setup's work falls in the other's time; what the host does slower
// than a slice falls on both alike; each setup's first slice is not counted, and every other
// comparison prepares B first. Both setups then finish unhindered and are checked as the
// sequential runs are.
import type pg from 'pg';
import { cpuSecondsOf, hostCpu } from './cpu.ts';
import {
  check,
  nextXid,
  prepareRun,
  type Plan,
  type PreparedRun,
  type RunOptions,
} from './processing-runs.ts';
import { settleWrites } from './support.ts';

export interface Setup {
  name: string;
  workers: number;
  opts: RunOptions;
}

export interface Interleaved {
  sliceMs: number;
  /** Per setup: events processed in its counted slices, their seconds, busy cores, CPU. */
  setups: Array<{
    name: string;
    events: number;
    seconds: number;
    perSecond: number;
    busyCores: number;
    /** ms per event: the worker processes, and this database's Postgres backends. */
    cpu: { worker: number; postgres: number };
    /** Writing transactions per 100 events (a job's events handed back take a second one). */
    transactions: number;
    problems: string[];
  }>;
  /** B's events/s over A's, in each pair of neighbouring slices (A B, then B A, …). */
  pairs: number[];
}

const log = (msg: string) => console.log(`[bench:processing] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ORDER = [0, 1, 1, 0] as const;

function signal(run: PreparedRun, sig: NodeJS.Signals) {
  for (const ch of run.processes) if (ch.exitCode === null) ch.kill(sig);
}

/** Until no backend of the run's database runs a statement (those waiting on a lock held by a
 * stopped worker's open transaction would wait for ever: they are idle for this purpose, and so
 * are those blocked sending a result to a stopped worker — over a Unix socket, whose buffer is
 * smaller than TCP's, a batch's rows filled it and the first comparison waited for ever). */
async function quiet(c: pg.Client) {
  for (;;) {
    const { rows } = await c.query<{ n: number }>(
      `SELECT count(*)::int n FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active'
          AND wait_event_type IS DISTINCT FROM 'Lock' AND wait_event IS DISTINCT FROM 'ClientWrite'`,
    );
    if (rows[0]!.n === 0) return;
    await sleep(1);
  }
}

async function cpuOf(run: PreparedRun) {
  const sum = (pids: number[]) => pids.reduce((s, pid) => s + cpuSecondsOf(pid), 0);
  return {
    worker: sum(run.processes.map((ch) => ch.pid!)),
    postgres: sum(await run.backendPids()),
  };
}

export async function interleaved(
  p: Plan,
  setups: readonly [Setup, Setup],
  runId: string,
  sliceMs: number,
  /** Prepare B first (every other comparison): the one prepared last has its pages cached. */
  bFirst = false,
): Promise<Interleaved> {
  const runs: PreparedRun[] = [];
  const prepared = bFirst ? ([1, 0] as const) : ([0, 1] as const);
  try {
    for (const i of prepared) {
      const s = setups[i];
      runs[i] = await prepareRun(p, s.workers, runId, {
        ...s.opts,
        label: `${s.opts.label ?? ''}i${'ab'[i]}`,
      });
    }
    for (const r of runs) signal(r, 'SIGSTOP');
    for (const r of runs) await r.eventsQueue.resume();
    await settleWrites();
    log(`interleaved: ${setups[0].name} and ${setups[1].name} in turns of ${sliceMs} ms…`);
    const left = [p.bodies.length, p.bodies.length];
    const events = [0, 0];
    const seconds = [0, 0];
    const busy = [0, 0];
    const cpu = [
      { worker: 0, postgres: 0 },
      { worker: 0, postgres: 0 },
    ];
    const xids = [0, 0];
    const rates: number[] = [];
    // Slices -2 and -1 (the setup prepared first, then the other) are not counted: preparing the
    // second pushed the first one's pages out of Postgres's cache, so its first slice ran a fifth
    // slower than its next (5,277 and 5,677 events/s against 6,000–9,500, 2026-12-04 02:20).
    for (let s = -2; left[0]! > 0 && left[1]! > 0; s++) {
      const i = s < 0 ? prepared[s + 2]! : ORDER[s % 4]!;
      const run = runs[i]!;
      const c0 = await cpuOf(run);
      const x0 = await nextXid(run.c);
      const h0 = hostCpu();
      const t0 = performance.now();
      signal(run, 'SIGCONT');
      await sleep(sliceMs);
      signal(run, 'SIGSTOP');
      await quiet(run.c);
      const t = (performance.now() - t0) / 1000;
      const h1 = hostCpu();
      const c1 = await cpuOf(run);
      // Server-wide, but only this setup ran: the other's processes and backends were quiet.
      const x1 = await nextXid(run.c);
      if (run.processes.some((ch) => ch.exitCode !== null)) throw new Error('a worker exited');
      const now = await run.received();
      const n = left[i]! - now;
      left[i] = now;
      // The slice in which a setup runs out of events was partly idle: not counted, and the
      // comparison ends there.
      if (now === 0) break;
      if (s < 0) continue;
      events[i]! += n;
      seconds[i]! += t;
      busy[i]! += h1.busy - h0.busy;
      cpu[i]!.worker += c1.worker - c0.worker;
      cpu[i]!.postgres += c1.postgres - c0.postgres;
      xids[i]! += x1 - x0;
      rates.push(n / t);
    }
    // Pairs of neighbouring slices, A's first or second in turn: B's rate over A's.
    const pairs: number[] = [];
    for (let k = 0; k + 1 < rates.length; k += 2) {
      const [x, y] = [rates[k]!, rates[k + 1]!];
      pairs.push(ORDER[k % 4] === 0 ? y / x : x / y);
    }
    log(
      `  counted ${rates.length} slices (events/s: ${rates.map((r, k) => `${'AB'[ORDER[k % 4]!]} ${r.toFixed(0)}`).join(', ')}); both setups now finish unhindered…`,
    );
    for (const r of runs) signal(r, 'SIGCONT');
    for (const r of runs) {
      await r.untilProcessed();
      const deferred = await r.pending();
      if (deferred > 0) throw new Error(`${deferred} events were left deferred`);
    }
    const out: Interleaved = {
      sliceMs,
      pairs,
      setups: await Promise.all(
        setups.map(async (s, i) => ({
          name: s.name,
          events: events[i]!,
          seconds: seconds[i]!,
          perSecond: events[i]! / seconds[i]!,
          busyCores: busy[i]! / seconds[i]!,
          cpu: {
            worker: (cpu[i]!.worker * 1000) / events[i]!,
            postgres: (cpu[i]!.postgres * 1000) / events[i]!,
          },
          transactions: (xids[i]! * 100) / events[i]!,
          problems: await check(runs[i]!.c, p, 'public'),
        })),
      ),
    };
    for (const s of out.setups)
      log(
        `  ${s.name}: ${s.perSecond.toFixed(0)} events/s in its slices (${s.events} events, ${s.seconds.toFixed(1)} s), ${s.busyCores.toFixed(2)} cores busy, CPU per event worker ${s.cpu.worker.toFixed(2)} ms, Postgres ${s.cpu.postgres.toFixed(2)} ms, ${s.transactions.toFixed(2)} writing transactions per 100 events${s.problems.length ? ` — WRONG: ${s.problems.join('; ')}` : ', rows correct'}`,
      );
    return out;
  } finally {
    for (const r of runs) if (r) await r.close();
  }
}
