import { StatelessForecaster } from '../forecaster';
import type { WindowHistory } from '../history';
import { fillCountDistribution, type Predictive } from '../predictive';

/**
 * The rate of the last few slots (2 by default) projected over the whole window, with the
 * history's dispersion: reacts within a couple of slots to a rate change (a flood starting, a
 * stream stopping), at the price of noise. The ensemble's level-shift override. Stateless.
 */
export class RecentRate extends StatelessForecaster {
  readonly name = 'recent-rate';

  constructor(readonly slots = 2) {
    super();
  }

  predict(h: WindowHistory, out: Predictive): void {
    const S = h.slotsPerWindow;
    const u = h.unit > 0 ? h.unit : 1;
    const L = Math.min(h.slotCount, Math.max(1, this.slots));
    if (L === 0) {
      out.setPoint(0);
      return;
    }
    const mean = (h.sumSlots(0, L) * S) / L / u;
    let sum = 0;
    let sumSq = 0;
    const n = h.length;
    for (let i = 0; i < n; i++) {
      const x = h.at(i);
      sum += x;
      sumSq += x * x;
    }
    const m = n > 0 ? sum / n : 0;
    const v = n > 1 ? Math.max(0, (sumSq - n * m * m) / (n - 1)) : 0;
    const fano = m > 0 ? Math.max(1, v / (m * u)) : 1;
    fillCountDistribution(out, mean, mean * fano, 32, u);
  }
}
