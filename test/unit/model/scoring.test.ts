import {
  coverage,
  ForecastScorer,
  jensenShannon,
  mae,
  mape,
  mase,
  meanPinball,
  pinballLoss,
  quantileScore,
  symmetricRelativeError,
} from '../../../src/model/scoring';

describe('point scores', () => {
  it('MAE, MAPE over non-empty windows only, MASE against the naive last window', () => {
    const y = [10, 0, 20, 10];
    const f = [12, 2, 15, 10];
    expect(mae(y, f)).toBe((2 + 2 + 5 + 0) / 4);
    expect(mape(y, f)).toBeCloseTo((100 * (0.2 + 0.25 + 0)) / 3, 12);
    expect(mape([0, 0], [1, 2])).toBeNaN();
    // naive scale: |0-10| + |20-0| + |10-20| over 3 = 40/3
    expect(mase(y, f)).toBeCloseTo(mae(y, f) / (40 / 3), 12);
    expect(mase([5, 5, 5], [4, 5, 6])).toBeNaN();
    expect(symmetricRelativeError([0, 0], [0, 0])).toBe(0);
    expect(symmetricRelativeError([0, 10], [10, 0])).toBe(1);
  });
});

describe('interval and quantile scores', () => {
  it('coverage counts closed intervals, so [0, 0] covers an empty window', () => {
    expect(coverage([0, 5, 10, 11], [0, 0, 0, 0], [0, 10, 10, 10])).toBe(0.75);
  });

  it('pinball loss by hand', () => {
    expect(pinballLoss(10, 8, 0.9)).toBeCloseTo(1.8, 12); // under-forecast: tau (y - q)
    expect(pinballLoss(10, 12, 0.9)).toBeCloseTo(0.2, 12); // over-forecast: (1 - tau)(q - y)
    expect(pinballLoss(10, 12, 0.5)).toBe(1); // half the absolute error
    expect(meanPinball([10, 10], [8, 12], 0.9)).toBeCloseTo(1, 12);
    // a point forecast scores its absolute error on the five-quantile score
    expect(quantileScore(10, 7, 7, 7, 7, 7)).toBeCloseTo(3, 12);
  });
});

describe('Jensen-Shannon divergence (bits)', () => {
  it('matches hand-computed values', () => {
    expect(jensenShannon([0.5, 0.5], [0.5, 0.5])).toBe(0);
    expect(jensenShannon([1, 0], [0, 1])).toBeCloseTo(1, 12);
    // P = (1, 0), Q = (1/2, 1/2), M = (3/4, 1/4):
    // KL(P||M) = log2(4/3) = 0.415037; KL(Q||M) = (log2(2/3) + log2(2)) / 2 = 0.207519
    expect(jensenShannon([1, 0], [0.5, 0.5])).toBeCloseTo(0.311278, 6);
    // counts instead of probabilities, and symmetry
    expect(jensenShannon([10, 0], [3, 3])).toBeCloseTo(0.311278, 6);
    expect(jensenShannon([3, 3], [10, 0])).toBeCloseTo(0.311278, 6);
    // P = (0.25, 0.75), Q = (0.75, 0.25), M = (0.5, 0.5): JS = 1 - H(0.25) = 1 - 0.811278
    expect(jensenShannon([0.25, 0.75], [0.75, 0.25])).toBeCloseTo(0.188722, 6);
  });

  it('is undefined for an empty mix', () => {
    expect(jensenShannon([0, 0], [1, 0])).toBeNaN();
  });
});

describe('ForecastScorer', () => {
  it('keeps bounded memory: only the last `capacity` windows per stream and forecaster', () => {
    const s = new ForecastScorer(['bytes', 'lines'], ['model', 'naive-last'], 16);
    const bytes = s.stateBytes;
    for (let i = 0; i < 100_000; i++) {
      s.record(0, 0, i % 7, 3, 0, 2, 4, 6);
      s.recordDivergence(0.1);
    }
    expect(s.stateBytes).toBe(bytes);
    expect(s.windows(0, 0)).toBe(16);
    expect(s.windows(1, 1)).toBe(0);
    expect(s.sinceStart(0, 0).windows).toBe(100_000);
    expect(s.meanDivergence()).toBeCloseTo(0.1, 6);
  });

  it('computes rolling statistics equal to the pure functions over the retained windows', () => {
    const s = new ForecastScorer(['bytes'], ['model'], 8);
    const ys: number[] = [];
    const fs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const y = (i * 37) % 11;
      const f = 5;
      ys.push(y);
      fs.push(f);
      s.record(0, 0, y, f, 1, 3, 7, 9);
    }
    const y8 = ys.slice(-8);
    const f8 = fs.slice(-8);
    const st = s.stats(0, 0);
    expect(st.windows).toBe(8);
    expect(st.mae).toBeCloseTo(mae(y8, f8), 5);
    expect(st.mape).toBeCloseTo(mape(y8, f8), 4);
    expect(st.mase).toBeCloseTo(mase(y8, f8), 5);
    expect(st.coverage90).toBeCloseTo(coverage(y8, y8.map(() => 1), y8.map(() => 9)), 12);
    expect(st.coverage50).toBeCloseTo(coverage(y8, y8.map(() => 3), y8.map(() => 7)), 12);
    expect(st.pinball95).toBeCloseTo(meanPinball(y8, y8.map(() => 9), 0.95), 5);
    expect(st.skill).toBeCloseTo(1 - symmetricRelativeError(y8, f8), 5);
    expect(s.stats(0, 0).windows).toBe(8);
  });

  it('reports NaN, not perfection, before any window is scored', () => {
    const st = new ForecastScorer(['bytes'], ['model']).stats(0, 0);
    expect(st.windows).toBe(0);
    expect(st.mae).toBeNaN();
    expect(st.coverage90).toBeNaN();
  });
});
