import { DEFAULT_FORECASTER_OPTIONS } from '../../../src/model/forecaster';
import {
  createForecaster, createResolved, ForecasterInstance, forecasterNames, resolveForecasterOptions, UnknownForecasterError,
} from '../../../src/model/forecasters';
import { Ensemble } from '../../../src/model/forecasters/ensemble';
import { ArrayHistory } from '../../../src/model/history';
import { detectPeriod } from '../../../src/model/periodicity';
import { Predictive } from '../../../src/model/predictive';
import { mulberry32, poisson } from '../../helpers/random';

const out = new Predictive(64);

function predict(name: string, values: number[]): Predictive {
  createForecaster(name).predict(new ArrayHistory(values), out, false);
  return out;
}

/** Runs a forecaster over a series window by window (issue, then observe), returning the points. */
function walk(name: string, series: number[], options = {}): { points: number[]; issued: number[]; f: ForecasterInstance } {
  const f = createForecaster(name, options);
  const points: number[] = [];
  const issued: number[] = []; // point, 5% and 95% bounds
  for (let i = 1; i < series.length; i++) {
    f.predict(new ArrayHistory(series, i), out, true);
    points.push(out.point);
    issued.push(out.point, out.bound(0), out.bound(3));
    f.observe(series[i]);
  }
  return { points, issued, f };
}

describe('forecaster registry', () => {
  it('creates every forecaster by name behind one interface', () => {
    expect(forecasterNames()).toEqual(expect.arrayContaining(
      ['naive-last', 'moving-average', 'empirical', 'analog', 'seasonal', 'negbin', 'holt', 'recent-rate', 'ensemble']));
    for (const name of forecasterNames()) {
      const f = createForecaster(name);
      expect(f.name).toBe(name);
      f.predict(new ArrayHistory([1, 2, 3, 4, 5, 6]), out, true);
      f.observe(7);
      expect(Number.isFinite(out.point)).toBe(true);
      expect(f.stateBytes).toBeGreaterThanOrEqual(0);
    }
  });

  it('fails with a typed error on an unknown name', () => {
    expect(() => createForecaster('crystal-ball')).toThrow(UnknownForecasterError);
    try {
      createForecaster('crystal-ball');
    } catch (e) {
      expect((e as UnknownForecasterError).code).toBe('ERR_UNKNOWN_FORECASTER');
    }
  });
});

describe('naive forecasters', () => {
  it('last window and moving average, with intervals from their own recent errors', () => {
    expect(predict('naive-last', [5, 7, 9]).point).toBe(9);
    expect(predict('moving-average', [1, 2, 3, 4, 5, 6, 7, 8]).point).toBeCloseTo((3 + 4 + 5 + 6 + 7 + 8) / 6, 12);
    const { f } = walk('naive-last', [10, 12, 8, 11, 9, 10, 12, 8, 10, 11]);
    f.predict(new ArrayHistory([10, 12, 8, 11, 9, 10, 12, 8, 10, 11]), out, false);
    expect(out.point).toBe(11);
    expect(out.quantile(0.05)).toBeLessThan(11);
    expect(out.quantile(0.95)).toBeGreaterThan(11);
  });
});

describe('structural forecasters', () => {
  it('empirical: median of recent windows (0 for a mostly silent stream)', () => {
    const p = predict('empirical', [0, 0, 300, 0, 0, 0, 120, 0, 0]);
    expect(p.point).toBe(0);
    expect(p.quantile(0.95)).toBeGreaterThan(100);
  });

  it('analog: a regime goes on (silence after silence, flood after flood)', () => {
    const series: number[] = [];
    for (let k = 0; k < 6; k++) for (let i = 0; i < 6; i++) series.push(k % 2 === 0 ? 0 : 1000 + 10 * i);
    const inFlood = series.slice(0, 6 * 5 + 3); // three windows into the third flood
    expect(Math.abs(predict('analog', inFlood).point - 1030)).toBeLessThan(60);
    const inQuiet = series.slice(0, 6 * 4 + 3);
    expect(predict('analog', inQuiet).point).toBe(0);
  });

  it('negbin: over-dispersed intervals around a smoothed level', () => {
    const rand = mulberry32(2);
    const counts = Array.from({ length: 36 }, () => (rand() < 0.2 ? 5 * poisson(rand, 10) : 0));
    const p = predict('negbin', counts);
    expect(p.quantile(0.05)).toBe(0);
    expect(p.quantile(0.95)).toBeGreaterThan(p.mean * 2);
  });
});

describe('strategies and their state', () => {
  it('instances of one shared strategy keep their state apart: interleaved, each forecasts as it would alone', () => {
    const rand = mulberry32(9);
    const a = Array.from({ length: 80 }, () => (rand() < 0.3 ? 400 * rand() : 0));
    const b = Array.from({ length: 80 }, (_, i) => 50 + 10 * i);
    for (const name of ['ensemble', 'naive-last', 'moving-average']) {
      const alone = [walk(name, a).issued, walk(name, b).issued];
      const options = resolveForecasterOptions();
      const fa = new ForecasterInstance(createResolved(name, options));
      const fb = new ForecasterInstance(createResolved(name, options));
      expect(fa.strategy).toBe(fb.strategy); // one strategy object for both
      const together: number[][] = [[], []];
      const both = [[0, fa, a], [1, fb, b]] as const;
      for (let i = 1; i < a.length; i++) {
        // as a model does with its series: every one issues, then every one is scored
        for (const [k, f, series] of both) {
          f.predict(new ArrayHistory(series, i), out, true);
          together[k].push(out.point, out.bound(0), out.bound(3));
        }
        for (const [, f, series] of both) f.observe(series[i]);
      }
      expect(together).toEqual(alone);
    }
  });
});

describe('ensemble', () => {
  it('falls back to the naive forecaster where the others keep losing (a ramp)', () => {
    const ramp = Array.from({ length: 60 }, (_, i) => 100 * i);
    const { f } = walk('ensemble', ramp, { ensembleMembers: ['naive-last', 'empirical'] });
    expect(f.answering).toBe('naive-last');
  });

  it('switches to the structural member where it wins (a sparse stream: the median)', () => {
    const rand = mulberry32(4);
    const sparse = Array.from({ length: 200 }, () => (rand() < 0.25 ? 500 + 500 * rand() : 0));
    const { points, f } = walk('ensemble', sparse, { ensembleMembers: ['naive-last', 'empirical'] });
    expect(f.answering).toContain('empirical');
    const late = points.slice(100);
    const maeEnsemble = late.reduce((a, p, i) => a + Math.abs(p - sparse[101 + i]), 0) / late.length;
    const maeNaive = late.reduce((a, _, i) => a + Math.abs(sparse[100 + i] - sparse[101 + i]), 0) / late.length;
    expect(maeEnsemble).toBeLessThan(0.8 * maeNaive);
  });

  it('uses the default members', () => {
    const e = createForecaster('ensemble').strategy;
    expect(e).toBeInstanceOf(Ensemble);
    expect((e as Ensemble).members.map((m) => m.name)).toEqual([...DEFAULT_FORECASTER_OPTIONS.ensembleMembers]);
  });
});

describe('periodicity', () => {
  const opts = { minLag: 10, maxLag: 150, minRecurrence: 0.6, minActive: 4 };

  it('finds a once-a-minute heartbeat among 1 s slots, despite bursts and jitter', () => {
    const rand = mulberry32(6);
    const active = new Uint8Array(360);
    for (let t = 3; t < 360; t += 60) active[t + (rand() < 0.3 ? 1 : 0)] = 1;
    for (let t = 200; t < 208; t++) active[t] = 1; // a burst: one onset
    const onset = (lag: number): boolean => active[lag] === 1 && active[lag + 1] !== 1;
    expect(Math.abs(detectPeriod(onset, 360, opts) - 60)).toBeLessThanOrEqual(1);
  });

  it('finds none in a steady stream or in random sparse activity', () => {
    expect(detectPeriod(() => true, 360, opts)).toBe(0);
    const rand = mulberry32(12);
    const random = Array.from({ length: 360 }, () => rand() < 0.05);
    expect(detectPeriod((lag) => random[lag], 360, opts)).toBe(0);
  });
});
