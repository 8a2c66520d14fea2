import { StatelessForecaster } from '../forecaster';
import type { WindowHistory } from '../history';
import { fillCountDistribution, type Predictive } from '../predictive';
import { lastWindowOrRate } from './common';

/**
 * Smoothed level with an over-dispersed count distribution: the mean is an exponentially
 * weighted average of the recent windows (alpha per window), the dispersion is the Fano factor
 * (variance / mean, at least 1) of all the windows in the history, in the series' units; the
 * window total is then negative binomial (Poisson when not over-dispersed). This is the plain
 * rate model, made honest about the shape of log counts. Stateless.
 */
export class NegBin extends StatelessForecaster {
  readonly name = 'negbin';

  constructor(readonly alpha = 0.3) {
    super();
  }

  predict(h: WindowHistory, out: Predictive): void {
    const u = h.unit > 0 ? h.unit : 1;
    const n = h.length;
    if (n === 0) {
      const m = lastWindowOrRate(h) / u;
      fillCountDistribution(out, m, m, 32, u);
      return;
    }
    let level = h.at(n - 1);
    let sum = 0;
    let sumSq = 0;
    for (let i = n - 1; i >= 0; i--) {
      const x = h.at(i);
      level += this.alpha * (x - level);
      sum += x;
      sumSq += x * x;
    }
    const mean = sum / n;
    const variance = n > 1 ? Math.max(0, (sumSq - n * mean * mean) / (n - 1)) : 0;
    const fano = mean > 0 ? Math.max(1, variance / (mean * u)) : 1;
    const mc = level / u;
    fillCountDistribution(out, mc, mc * fano, 32, u);
  }
}
