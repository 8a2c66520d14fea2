import { StatelessForecaster } from '../forecaster';
import type { WindowHistory } from '../history';
import type { Predictive } from '../predictive';
import { lastWindowOrRate } from './common';

/**
 * The recent windows themselves as the predictive distribution ("climatology" over the history,
 * 6 minutes by default): quantiles are the empirical ones, the point is their median. No shape is
 * assumed, which matters for log streams whose window totals are mostly zero with heavy bursts
 * (neither Poisson nor Gaussian). Stateless.
 */
export class Empirical extends StatelessForecaster {
  readonly name = 'empirical';

  predict(h: WindowHistory, out: Predictive): void {
    out.clear();
    out.unit = h.unit;
    const n = Math.min(h.length, out.capacity);
    if (n === 0) {
      out.setPoint(lastWindowOrRate(h));
      return;
    }
    for (let i = 0; i < n; i++) out.push(h.at(i));
    out.finish();
  }
}
