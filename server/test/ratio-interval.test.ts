// bench:processing's verdict on "two workers never slower than one" rests on ratioInterval: the
// interval must hold the true ratio, exclude 1 only when the data do, and not move between runs.
import { describe, expect, it } from 'vitest';
import { describeInterval, ratioInterval } from '../bench/ratio-interval.ts';

/** Ratios scattered around `centre` by a fixed pattern of ±spread (skewed like slice pairs). */
const scattered = (centre: number, spread: number, n: number) =>
  Array.from({ length: n }, (_, i) => centre * Math.exp(spread * Math.sin(i * 2.39996)));

describe('ratioInterval', () => {
  it('takes the geometric mean and brackets it', () => {
    const i = ratioInterval([0.5, 2, 1, 1]);
    expect(i.mean).toBeCloseTo(1, 10);
    expect(i.low).toBeLessThanOrEqual(i.mean);
    expect(i.high).toBeGreaterThanOrEqual(i.mean);
    expect(i.n).toBe(4);
  });

  it('excludes 1 when every pair says B is faster, and includes it for an A/A spread', () => {
    const faster = ratioInterval(scattered(1.07, 0.08, 40));
    expect(faster.low).toBeGreaterThan(1);
    expect(faster.high).toBeGreaterThan(faster.low);
    const same = ratioInterval(scattered(1, 0.08, 40));
    expect(same.low).toBeLessThan(1);
    expect(same.high).toBeGreaterThan(1);
  });

  it('narrows as pairs accumulate', () => {
    const few = ratioInterval(scattered(1.05, 0.1, 8));
    const many = ratioInterval(scattered(1.05, 0.1, 80));
    expect(many.high - many.low).toBeLessThan(few.high - few.low);
  });

  it('gives the same interval for the same pairs, and skips ratios that are not numbers', () => {
    const pairs = scattered(1.02, 0.12, 25);
    expect(ratioInterval(pairs)).toEqual(ratioInterval(pairs));
    expect(ratioInterval([...pairs, NaN, Infinity, 0]).n).toBe(25);
  });

  it('says so when there is nothing to judge', () => {
    const none = ratioInterval([]);
    expect(none.n).toBe(0);
    expect(describeInterval(none)).toBe('no pairs counted');
    expect(describeInterval(ratioInterval([1.1, 1.2]))).toMatch(
      /^1\.149 \(95 % interval .+, 2 pairs\)$/,
    );
  });
});
