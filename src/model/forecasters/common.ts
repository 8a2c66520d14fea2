import type { WindowHistory } from '../history';
import { fillCountDistribution, type Predictive } from '../predictive';
import { f32 } from '../typed-arena';

/**
 * The last window's total, or, before one full window has been seen, the closed slots so far
 * scaled up to a window (the rate so far), so that a new stream gets a forecast at once.
 */
export function lastWindowOrRate(h: WindowHistory): number {
  if (h.length > 0) return h.at(0);
  const n = h.slotCount;
  return n > 0 ? (h.sumSlots(0, n) * h.slotsPerWindow) / n : 0;
}

/**
 * The spread of a point forecaster: its recent one-window errors (actual - point), kept in a
 * ring, added back to the point (the empirical-residual interval, as statsforecast and fable
 * build them for naive methods). Until `minResiduals` errors exist, a Poisson spread in the
 * series' unit stands in.
 */
export class ResidualRing {
  private readonly values: Float32Array;
  private count = 0;
  private head = 0;
  private pendingPoint = Number.NaN;

  constructor(
    capacity: number,
    readonly minResiduals = 4,
  ) {
    this.values = f32(capacity);
  }

  get stateBytes(): number {
    return this.values.byteLength + 32;
  }

  /** Remembers the issued point until its window closes. */
  issue(point: number): void {
    this.pendingPoint = point;
  }

  observe(actual: number): void {
    if (Number.isNaN(this.pendingPoint)) return;
    this.values[this.head] = actual - this.pendingPoint;
    this.head = (this.head + 1) % this.values.length;
    if (this.count < this.values.length) this.count++;
    this.pendingPoint = Number.NaN;
  }

  /** Fills `out` with point + residuals; the point stays the forecaster's own value. */
  fill(out: Predictive, point: number, unit: number): void {
    if (this.count < this.minResiduals) {
      fillCountDistribution(out, point / unit, point / unit, 32, unit);
    } else {
      out.clear();
      out.unit = unit;
      for (let i = 0; i < this.count; i++) out.push(point + this.values[i]);
      out.finish();
    }
    out.point = point;
  }
}
