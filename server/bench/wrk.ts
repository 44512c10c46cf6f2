// Closed-loop load from wrk (C, from Debian), so the generator takes a few percent of a core
// instead of the half core a Node generator needs on this 2-core machine. Events are signed
// beforehand into per-thread files (unique ids, timestamps well inside the 300 s tolerance);
// wrk posts each once and records which ids were answered 200 (wrk-post.lua).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signatureHeader } from '../src/webhooks/verify-signature.ts';
import type { LoadResult } from './load.ts';

const SCRIPT = path.join(import.meta.dirname, 'wrk-post.lua');

/** Finds wrk, installing Debian's package when it is missing and we may (root, apt-get). */
export function ensureWrk(log: (m: string) => void): boolean {
  if (spawnSync('wrk', ['--version']).error === undefined) return true;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) return false;
  log('installing wrk from Debian…');
  const r = spawnSync('apt-get', ['install', '-y', '-q', 'wrk'], { stdio: 'ignore' });
  return r.status === 0 && spawnSync('wrk', ['--version']).error === undefined;
}

function ms(value: string, unit: string) {
  const v = Number(value);
  return unit === 'us' ? v / 1000 : unit === 's' ? v * 1000 : unit === 'm' ? v * 60_000 : v;
}

export function runWrk(opts: {
  origin: string;
  path: string;
  secret: string;
  makeEvent: () => { id: string; body: string };
  concurrency: number;
  seconds: number;
  /** Events signed per thread: must exceed what a thread can send in `seconds`. */
  perThread: number;
}): LoadResult {
  const threads = Math.min(2, opts.concurrency);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dd-wrk-'));
  const prefix = path.join(dir, 'events');
  try {
    for (let t = 0; t < threads; t++) {
      const lines: string[] = [];
      for (let i = 0; i < opts.perThread; i++) {
        const { body } = opts.makeEvent();
        lines.push(`${signatureHeader(opts.secret, body)}\t${body}`);
      }
      writeFileSync(`${prefix}.${t}`, `${lines.join('\n')}\n`);
    }
    const run = spawnSync(
      'wrk',
      [
        `-t${threads}`,
        `-c${opts.concurrency}`,
        `-d${opts.seconds}s`,
        '--latency',
        '--timeout',
        '10s',
        '-s',
        SCRIPT,
        opts.origin,
        '--',
        prefix,
        opts.path,
      ],
      { encoding: 'utf8' },
    );
    if (run.status !== 0) throw new Error(`wrk failed: ${run.stderr || run.stdout}`);
    const out = run.stdout;
    const total = /(\d+) requests in ([\d.]+)(ms|s|m)/.exec(out);
    if (!total) throw new Error(`cannot read wrk's output:\n${out}`);
    const seconds = ms(total[2]!, total[3]!) / 1000;
    const pct = (p: string) => {
      const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)`, 'm').exec(out);
      return m ? ms(m[1]!, m[2]!) : NaN;
    };
    const max = /Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s|m)/.exec(out);
    const ackedIds: string[] = [];
    for (let t = 0; t < threads; t++) {
      const file = `${prefix}.${t}.acked`;
      if (existsSync(file))
        ackedIds.push(...readFileSync(file, 'utf8').split('\n').filter(Boolean));
    }
    const sent = Number(total[1]);
    const errors: Record<string, number> = {};
    const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
    if (non2xx) errors.non2xx = Number(non2xx[1]);
    const socketErrors = /Socket errors: (.*)/.exec(out);
    if (socketErrors)
      errors.socket = socketErrors[1]!
        .match(/\d+/g)!
        .map(Number)
        .reduce((a, b) => a + b, 0);
    if (sent > opts.perThread * threads) errors.exhausted = sent - opts.perThread * threads;
    return {
      sent,
      acked: ackedIds.length,
      errors,
      seconds,
      perSecond: ackedIds.length / seconds,
      p50: pct('50'),
      p99: pct('99'),
      max: max ? ms(max[1]!, max[2]!) : NaN,
      ackedIds: ackedIds.filter((id) => id !== 'ok'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
