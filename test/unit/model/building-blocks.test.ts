import { mean as mMean, variance as mVariance } from 'mathjs';
import { BurstDetector } from '../../../src/model/burst';
import { AdaptiveQuantile, IntervalCalibrator } from '../../../src/model/calibration';
import { confidence, evidenceScore } from '../../../src/model/confidence';
import { MultiEwmaRate } from '../../../src/model/ewma';
import { Holt } from '../../../src/model/holt';
import { fanoFactor, InterArrivalStats } from '../../../src/model/interarrival';
import {
  blendedSeverityMix,
  DecayingSeverityHistogram,
  SEV_ERROR,
  SEV_INFO,
  SEV_UNKNOWN,
  SEVERITY_COUNT,
  SEVERITY_LEVELS,
} from '../../../src/model/severity';
import { Welford } from '../../../src/model/welford';
import { exponential, mulberry32, poisson } from '../../helpers/random';

describe('MultiEwmaRate', () => {
  it('converges to a constant rate at every time constant, bias-corrected from the start', () => {
    const r = new MultiEwmaRate([1_000, 10_000, 60_000]);
    for (let t = 0; t <= 30_000; t += 100) r.add(t, 1); // 10 per second
    // read between two events: right at an event, the event's own jump weighs in (+5% at tau 1 s)
    for (let i = 0; i < 3; i++) expect(Math.abs(r.rate(i, 30_050) - 10)).toBeLessThan(0.2);
  });

  it('events closer than a millisecond share a decay, within 0.1% of the exact rate', () => {
    const r = new MultiEwmaRate([1_000, 10_000]);
    const tau = [1_000, 10_000];
    const exact = [0, 0];
    let last = 0;
    // 40,000 events a second, 25 us apart, for 3 s: at most one decay per millisecond
    for (let t = 0; t < 3_000; t += 0.025) {
      for (let i = 0; i < 2; i++) exact[i] = exact[i] * Math.exp(-(t - last) / tau[i]) + 1000 / tau[i];
      last = t;
      r.add(t, 1);
    }
    for (let i = 0; i < 2; i++) {
      const mass = 1 - Math.exp(-(last + 0.5) / tau[i]);
      const want = (exact[i] * Math.exp(-0.5 / tau[i])) / mass;
      expect(Math.abs(r.rate(i, last + 0.5) / want - 1)).toBeLessThan(0.001);
    }
  });

  it('decays by the time elapsed, without being fed', () => {
    const r = new MultiEwmaRate([10_000]);
    for (let t = 0; t <= 100_000; t += 100) r.add(t, 1);
    const before = r.rate(0, 100_000);
    expect(r.rate(0, 110_000)).toBeCloseTo(before * Math.exp(-1), 1);
    expect(r.rate(0, 200_000)).toBeLessThan(0.001);
  });
});

describe('Holt', () => {
  it('finds level and trend of a linear series', () => {
    const h = new Holt(0.5, 0.3);
    for (let i = 0; i < 50; i++) h.update(10 + 2 * i);
    expect(h.trend).toBeCloseTo(2, 3);
    expect(h.forecast(1)).toBeCloseTo(10 + 2 * 50, 2);
  });

  it('treats an observation after dt units like dt steps', () => {
    const h = new Holt(0.5, 0.3);
    for (let i = 0; i < 50; i += 2) h.update(10 + 2 * i, 2);
    expect(h.trend).toBeCloseTo(2, 2);
  });
});

describe('Welford', () => {
  it('matches the exact mean and sample variance', () => {
    const rand = mulberry32(1);
    const xs = Array.from({ length: 1000 }, () => 50 + 100 * rand());
    const w = new Welford();
    for (const x of xs) w.add(x);
    expect(w.mean).toBeCloseTo(Number(mMean(xs)), 9);
    expect(w.variance()).toBeCloseTo(Number(mVariance(xs)), 6);
  });

  it('with a capped count, forgets: it follows a change of level', () => {
    const w = new Welford(100);
    for (let i = 0; i < 10_000; i++) w.add(10);
    for (let i = 0; i < 1_000; i++) w.add(20);
    expect(w.mean).toBeCloseTo(20, 3);
    expect(w.variance()).toBeLessThan(0.01);
  });
});

describe('severity', () => {
  it('has the 8 levels in the agreed order', () => {
    expect(SEVERITY_LEVELS).toEqual(['fatal', 'error', 'warn', 'notice', 'info', 'debug', 'trace', 'unknown']);
  });

  it('decays with time and normalises', () => {
    const h = new DecayingSeverityHistogram(10_000);
    for (let i = 0; i < 10; i++) h.add(SEV_INFO, 0);
    h.add(SEV_ERROR, 10_000); // info has decayed to 10/e by then
    expect(h.weight(SEV_INFO)).toBeCloseTo(10 / Math.E, 6);
    const d = h.distribution(new Float64Array(SEVERITY_COUNT));
    expect(d.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(d[SEV_ERROR]).toBeCloseTo(1 / (1 + 10 / Math.E), 6);
  });

  it('blends short-term into long-term mix, unknown when nothing is known', () => {
    const short = new DecayingSeverityHistogram(10_000);
    const long = new DecayingSeverityHistogram(300_000);
    const out = new Float64Array(SEVERITY_COUNT);
    expect(Array.from(blendedSeverityMix(short, long, 5, out))[SEV_UNKNOWN]).toBe(1);
    for (let i = 0; i < 100; i++) long.add(SEV_INFO, 0);
    for (let i = 0; i < 5; i++) short.add(SEV_ERROR, 0);
    blendedSeverityMix(short, long, 5, out);
    expect(out[SEV_ERROR]).toBeCloseTo(0.5, 6); // 5 real error lines against 5 prior info pseudo-lines
    expect(out[SEV_INFO]).toBeCloseTo(0.5, 6);
  });
});

describe('inter-arrival statistics', () => {
  it('CV is ~0 for a regular stream and ~1 for a Poisson one', () => {
    const regular = new InterArrivalStats();
    for (let t = 0; t < 100_000; t += 250) regular.observe(t);
    expect(regular.cv()).toBeLessThan(1e-6);
    const rand = mulberry32(7);
    const p = new InterArrivalStats(60_000, 1e9);
    let t = 0;
    for (let i = 0; i < 20_000; i++) p.observe((t += exponential(rand, 200)));
    expect(p.cv()).toBeGreaterThan(0.95);
    expect(p.cv()).toBeLessThan(1.05);
  });

  it('Fano factor is ~1 for Poisson counts, 0 for constant ones, large for bursts', () => {
    const rand = mulberry32(3);
    const counts = Array.from({ length: 4000 }, () => poisson(rand, 8));
    expect(fanoFactor((i) => counts[i], counts.length)).toBeCloseTo(1, 1);
    expect(fanoFactor(() => 5, 100)).toBe(0);
    const bursty = Array.from({ length: 100 }, (_, i) => (i % 10 === 0 ? 100 : 0));
    expect(fanoFactor((i) => bursty[i], bursty.length)).toBeGreaterThan(50);
  });
});

describe('BurstDetector', () => {
  it('enters above 3x the long rate and leaves only below 1.5x (hysteresis)', () => {
    const b = new BurstDetector();
    expect(b.update(20, 10, 1000, 0)).toBe(false);
    expect(b.update(40, 10, 1000, 1)).toBe(true);
    expect(b.update(20, 10, 1000, 2)).toBe(true); // between the thresholds: stays
    expect(b.update(14, 10, 1000, 3)).toBe(false);
    expect(b.transitions).toBe(2);
  });

  it('ignores an insignificant excess on a near-silent stream', () => {
    const b = new BurstDetector();
    expect(b.update(1, 0.01, 1000, 0)).toBe(false);
  });
});

describe('calibration', () => {
  it('an upper bound converges to its target exceedance whatever the forecast', () => {
    const rand = mulberry32(11);
    // the "forecaster" claims an exponential(1) upper quantile but the data are exponential(3)
    const q = new AdaptiveQuantile(0.95, true, 0.02);
    let hits = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const bound = -Math.log(Math.max(1e-12, 1 - Math.min(q.level, 0.999999)));
      const y = exponential(rand, 3);
      if (y <= bound) hits++;
      q.update(y, bound);
    }
    expect(hits / n).toBeGreaterThan(0.94);
    expect(hits / n).toBeLessThan(0.96);
  });

  it('keeps bounds on their side of the median', () => {
    const c = new IntervalCalibrator(0.5);
    for (let i = 0; i < 100; i++) c.update(0, 0, 0, 0, 0);
    expect(c.level(0)).toBeLessThanOrEqual(0.5);
    expect(c.level(3)).toBeGreaterThanOrEqual(0.5);
  });
});

describe('confidence', () => {
  it('stays in [0, 1], grows with evidence, and follows skill once windows are scored', () => {
    expect(evidenceScore(0)).toBe(0);
    const few = confidence(2, 0, 1, 0);
    const many = confidence(1000, 0, 1, 0);
    expect(many).toBeGreaterThan(few);
    expect(many).toBeLessThanOrEqual(1);
    const missing = confidence(1000, 0, 0.05, 32);
    expect(missing).toBeLessThan(0.1);
    expect(confidence(Number.NaN, 0, 1, 0)).toBe(0);
  });
});
