// How sure a comparison of two setups is: the geometric mean of many paired ratios (B's rate over
// A's in neighbouring slices, bench/processing-interleaved.ts) with a 95 % bootstrap interval.
// Resampling the pairs needs no assumption about their spread (this host's is skewed: one slow
// slice gives a pair of 0.62), and a fixed seed makes the same pairs give the same interval.
// "B is not slower than A" is shown when the interval's lower end is at or above 1; the same
// setup on both sides (an A/A comparison) must give an interval around 1, or the method is biased.

export interface RatioInterval {
  n: number;
  /** Geometric mean of the ratios. */
  mean: number;
  low: number;
  high: number;
}

/** A small deterministic generator (mulberry32): the interval depends only on the pairs. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function ratioInterval(ratios: readonly number[], resamples = 10_000): RatioInterval {
  const logs = ratios.filter((r) => Number.isFinite(r) && r > 0).map(Math.log);
  const n = logs.length;
  if (n === 0) return { n, mean: NaN, low: NaN, high: NaN };
  const mean = logs.reduce((s, x) => s + x, 0) / n;
  const next = random(0x19);
  const means = new Float64Array(resamples);
  for (let k = 0; k < resamples; k++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += logs[Math.floor(next() * n)]!;
    means[k] = s / n;
  }
  means.sort();
  const at = (q: number) => Math.exp(means[Math.min(resamples - 1, Math.floor(q * resamples))]!);
  return { n, mean: Math.exp(mean), low: at(0.025), high: at(0.975) };
}

export const describeInterval = (i: RatioInterval) =>
  i.n === 0
    ? 'no pairs counted'
    : `${i.mean.toFixed(3)} (95 % interval ${i.low.toFixed(3)}–${i.high.toFixed(3)}, ${i.n} pairs)`;
