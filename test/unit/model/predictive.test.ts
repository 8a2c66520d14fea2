import { fillCountDistribution, normalQuantile, Predictive } from '../../../src/model/predictive';

describe('Predictive', () => {
  it('interpolates between order statistics and extends the tails beyond the sample', () => {
    const p = new Predictive(8);
    for (const x of [40, 10, 30, 20]) p.push(x);
    p.finish();
    expect(p.point).toBe(25);
    expect(p.quantile(0)).toBe(10);
    expect(p.quantile(1 / 3)).toBeCloseTo(20, 9);
    expect(p.quantile(1.5)).toBe(40 + 0.5 * 30);
    expect(p.quantile(-1)).toBe(0); // clamped: totals are never negative
    expect(p.bound(3)).toBeCloseTo(p.quantile(0.95), 12);
  });

  it('never holds more than its capacity', () => {
    const p = new Predictive(4);
    for (let i = 0; i < 100; i++) p.push(i);
    expect(p.n).toBe(4);
  });
});

describe('count distributions', () => {
  it('Poisson: stratified quantiles with the right median and mean', () => {
    const p = new Predictive(64);
    fillCountDistribution(p, 4, 4, 64);
    expect(p.quantile(0.5)).toBe(4);
    const m = p.samples.slice(0, p.n).reduce((a, b) => a + b, 0) / p.n;
    expect(m).toBeGreaterThan(3.6);
    expect(m).toBeLessThan(4.4);
  });

  it('negative binomial: over-dispersed, zero-heavy for a small mean', () => {
    const p = new Predictive(64);
    fillCountDistribution(p, 0.5, 5, 64);
    expect(p.quantile(0.5)).toBe(0);
    expect(p.quantile(0.95)).toBeGreaterThan(1);
    expect(p.mean).toBe(0.5);
  });

  it('large means switch to the gamma approximation without a jump, and scale by the unit', () => {
    const a = new Predictive(64);
    const b = new Predictive(64);
    fillCountDistribution(a, 399, 800, 64);
    fillCountDistribution(b, 401, 800, 64);
    for (const q of [0.05, 0.5, 0.95]) expect(Math.abs(a.quantile(q) - b.quantile(q))).toBeLessThan(8);
    fillCountDistribution(b, 10_000, 40_000, 64, 100);
    expect(Math.abs(b.quantile(0.5) - 1_000_000) / 1_000_000).toBeLessThan(0.01);
    expect(b.quantile(0.95)).toBeGreaterThan(b.quantile(0.5) + 100 * 100 * 1.5);
  });

  it('normal quantile is accurate', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
  });
});
