import { StatelessForecaster } from '../forecaster';
import type { WindowHistory } from '../history';
import { fillCountDistribution, type Predictive } from '../predictive';
import { lastWindowOrRate } from './common';

/**
 * Seasonal naive for heartbeats and other periodic writers: when the stream has a detected period
 * of at least one window, the sample is the same window one, two, three... periods ago (the point
 * is their median). Without a period it is the naive last window with a Poisson spread. Stateless.
 */
export class Seasonal extends StatelessForecaster {
  readonly name = 'seasonal';

  predict(h: WindowHistory, out: Predictive): void {
    const S = h.slotsPerWindow;
    const P = h.periodSlots;
    const u = h.unit > 0 ? h.unit : 1;
    if (!(P >= S) || P > h.slotCount) {
      const m = lastWindowOrRate(h) / u;
      fillCountDistribution(out, m, m, 32, u);
      return;
    }
    out.clear();
    out.unit = h.unit;
    // the target window occupies lags [-S, 0); k periods back it occupies [kP - S, kP)
    for (let k = 1; k * P <= h.slotCount && out.n < out.capacity; k++) out.push(h.sumSlots(k * P - S, S));
    out.finish();
  }
}
