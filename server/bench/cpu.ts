// Where a benchmark's CPU went: user + system seconds per process group on this machine, read from
// Linux /proc between two snapshots. Processes that exited in between are counted by their parent
// only if it waited for them (wrk, run by spawnSync, shows up as this process's children).
import { readdirSync, readFileSync } from 'node:fs';

interface Proc {
  comm: string;
  ppid: number;
  /** utime + stime, and the waited-for children's cutime + cstime, in seconds. */
  own: number;
  children: number;
}

const HZ = 100; // USER_HZ

function read(pid: number): Proc | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    // Fields after the command name: state is 1st, ppid 2nd, utime 12th … cstime 15th.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      comm,
      ppid: Number(f[1]),
      own: (Number(f[11]) + Number(f[12])) / HZ,
      children: (Number(f[13]) + Number(f[14])) / HZ,
    };
  } catch {
    return null; // gone
  }
}

/** User + system CPU seconds of one process so far (0 once it is gone). */
export const cpuSecondsOf = (pid: number): number => read(pid)?.own ?? 0;

export type CpuSnapshot = Map<number, Proc>;

export function cpuSnapshot(): CpuSnapshot {
  const out: CpuSnapshot = new Map();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const p = read(pid);
    if (p) out.set(pid, p);
  }
  return out;
}

/** The pid and every descendant of it in the snapshot. */
function tree(snap: CpuSnapshot, root: number): Set<number> {
  const pids = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, p] of snap) {
      if (!pids.has(pid) && pids.has(p.ppid)) {
        pids.add(pid);
        grew = true;
      }
    }
  }
  return pids;
}

/**
 * CPU seconds spent between the snapshots by: the process trees rooted at `roots` (each by its
 * label), every `postgres` and `redis-server` process, and this process's waited-for children
 * (the load generator).
 */
export function cpuSpent(
  before: CpuSnapshot,
  after: CpuSnapshot,
  roots: Record<string, number>,
): Record<string, number> {
  const spent = (pids: Iterable<number>, field: 'own' | 'children' = 'own') => {
    let s = 0;
    for (const pid of pids) {
      const a = after.get(pid);
      if (a) s += a[field] - (before.get(pid)?.[field] ?? 0);
    }
    return s;
  };
  const byComm = (comm: string) =>
    [...after].filter(([, p]) => p.comm === comm).map(([pid]) => pid);
  const out: Record<string, number> = {};
  for (const [label, pid] of Object.entries(roots)) out[label] = spent(tree(after, pid));
  out.postgres = spent(byComm('postgres'));
  out.redis = spent(byComm('redis-server'));
  out.generator = spent([process.pid], 'children');
  return out;
}

/** "api 61 µs, postgres 48 µs, …" per event. */
export function perEvent(spent: Record<string, number>, events: number): string {
  return Object.entries(spent)
    .map(([k, s]) => `${k} ${((s * 1e6) / Math.max(1, events)).toFixed(0)} µs`)
    .join(', ');
}

/** The whole machine's CPU counters so far (every core), from the first line of /proc/stat. */
export interface HostCpu {
  busy: number;
  idle: number;
  /** Time the hypervisor gave this VM's cores to someone else. */
  steal: number;
}

export function hostCpu(): HostCpu {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1);
  // user nice system idle iowait irq softirq steal (older kernels stop earlier: 0 then).
  const n = (i: number) => Number(f[i] ?? 0);
  return {
    busy: (n(0) + n(1) + n(2) + n(5) + n(6)) / HZ,
    idle: (n(3) + n(4)) / HZ,
    steal: n(7) / HZ,
  };
}

/** "1.84 of 2 cores busy, 0.05 stolen" between two readings taken `seconds` apart. */
export function hostCpuBetween(a: HostCpu, b: HostCpu, seconds: number): string {
  const per = (k: keyof HostCpu) => (b[k] - a[k]) / Math.max(0.001, seconds);
  const cores = per('busy') + per('idle') + per('steal');
  return `${per('busy').toFixed(2)} of ${cores.toFixed(1)} cores busy, ${per('steal').toFixed(2)} stolen`;
}
