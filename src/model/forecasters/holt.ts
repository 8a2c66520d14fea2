import { StatelessForecaster } from '../forecaster';
import type { WindowHistory } from '../history';
import { fillCountDistribution, type Predictive } from '../predictive';
import { lastWindowOrRate } from './common';

const residuals = new Float64Array(64);

/**
 * Holt's level + trend over the window history, re-run at each origin (the history is at most a
 * few dozen windows, so this is cheap and needs no per-stream state); the spread is the set of its
 * own one-step errors over the same history. The classic smoothing baseline. Stateless.
 */
export class HoltForecaster extends StatelessForecaster {
  readonly name = 'holt';

  constructor(
    readonly alpha = 0.3,
    readonly beta = 0.1,
  ) {
    super();
  }

  predict(h: WindowHistory, out: Predictive): void {
    const n = h.length;
    const u = h.unit > 0 ? h.unit : 1;
    if (n < 3) {
      const m = lastWindowOrRate(h) / u;
      fillCountDistribution(out, m, m, 32, u);
      return;
    }
    let level = h.at(n - 1);
    let trend = 0;
    let r = 0;
    for (let i = n - 2; i >= 0; i--) {
      const x = h.at(i);
      const f = level + trend;
      if (r < residuals.length) residuals[r++] = x - Math.max(0, f);
      const next = this.alpha * x + (1 - this.alpha) * f;
      trend = this.beta * (next - level) + (1 - this.beta) * trend;
      level = next;
    }
    const point = Math.max(0, level + trend);
    out.clear();
    out.unit = h.unit;
    for (let i = 0; i < r; i++) out.push(point + residuals[i]);
    out.finish();
    out.point = point;
  }
}
