import { quantileSeq } from 'mathjs';
import { LogHistogram } from '../../../src/model/log-histogram';
import { mulberry32, normal } from '../../helpers/random';

/** The exact order statistic at the rank the sketch targets, floor(q (n - 1)). */
function exactAtRank(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1) + 1e-9)];
}

const QUANTILES = [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99];

function check(values: number[], alpha = 0.025): void {
  const h = new LogHistogram({ relativeAccuracy: alpha, maxTotal: 1e9 });
  for (const v of values) h.add(v);
  const sorted = [...values].sort((a, b) => a - b);
  for (const q of QUANTILES) {
    const exact = exactAtRank(sorted, q);
    const est = h.quantile(q);
    expect(Math.abs(est - exact)).toBeLessThanOrEqual(alpha * exact + 1e-9);
  }
}

describe('LogHistogram (quantile sketch)', () => {
  it('is within its relative accuracy of the exact quantiles: log-normal line lengths', () => {
    const rand = mulberry32(42);
    check(Array.from({ length: 50_000 }, () => Math.round(Math.exp(4.5 + 0.5 * normal(rand)))));
  });

  it('... uniform write sizes, and at a coarser accuracy', () => {
    const rand = mulberry32(5);
    const xs = Array.from({ length: 20_000 }, () => 50 + Math.floor(150 * rand()));
    check(xs);
    check(xs, 0.05);
  });

  it('... a discrete bimodal mix (where P^2 has no guarantee)', () => {
    const rand = mulberry32(9);
    check(Array.from({ length: 10_000 }, () => (rand() < 0.8 ? 80 : 4096)));
  });

  it('agrees with mathjs quantileSeq on a smooth distribution (interpolated quantiles)', () => {
    const rand = mulberry32(8);
    const xs = Array.from({ length: 30_000 }, () => 20 + 200 * rand() * rand());
    const h = new LogHistogram();
    for (const x of xs) h.add(x);
    for (const q of [0.5, 0.9, 0.99]) {
      const exact = Number(quantileSeq(xs, q));
      expect(Math.abs(h.quantile(q) - exact) / exact).toBeLessThan(0.03);
    }
  });

  it('keeps fixed memory and forgets by halving', () => {
    const h = new LogHistogram({ maxTotal: 1000 });
    const bins = h.bins;
    expect(bins * 4).toBeLessThan(1200); // 1.1 KiB at 2.5% up to 1 MiB
    for (let i = 0; i < 100_000; i++) h.add(100);
    for (let i = 0; i < 2_000; i++) h.add(1000);
    expect(h.bins).toBe(bins);
    expect(h.total).toBeLessThanOrEqual(1000);
    expect(h.quantile(0.5)).toBeGreaterThan(900); // the recent sizes dominate
  });

  it('merges like adding both streams, and reports zero and overflow bins', () => {
    const a = new LogHistogram({ maxTotal: 1e9 });
    const b = new LogHistogram({ maxTotal: 1e9 });
    const both = new LogHistogram({ maxTotal: 1e9 });
    for (let i = 1; i < 1000; i++) {
      a.add(i);
      both.add(i);
      b.add(i * 3);
      both.add(i * 3);
    }
    a.merge(b);
    for (const q of QUANTILES) expect(a.quantile(q)).toBe(both.quantile(q));
    const z = new LogHistogram({ maxValue: 1000 });
    z.add(0);
    z.add(5000);
    expect(z.quantile(0)).toBe(0);
    expect(z.overflow).toBe(1);
    expect(new LogHistogram().quantile(0.5)).toBe(0);
  });
});
