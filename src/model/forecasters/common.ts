import type { Forecaster, ForecasterOptions, StateBlock } from '../forecaster';
import type { WindowHistory } from '../history';
import { fillCountDistribution, type Predictive } from '../predictive';

/**
 * The last window's total, or, before one full window has been seen, the closed slots so far
 * scaled up to a window (the rate so far), so that a new stream gets a forecast at once.
 */
export function lastWindowOrRate(h: WindowHistory): number {
  if (h.length > 0) return h.at(0);
  const n = h.slotCount;
  return n > 0 ? (h.sumSlots(0, n) * h.slotsPerWindow) / n : 0;
}

// A residual ring's block: the count, the head and the pending point (64-bit), then the
// residuals in 32-bit floats (their relative error, 6e-8, is far below a forecast's).
const R_COUNT = 0;
const R_HEAD = 1;
const R_PENDING = 2;
const R_VALUES = 3;

/**
 * The spread of a point forecaster: its recent one-window errors (actual - point), kept in a
 * ring, added back to the point (the empirical-residual interval, as statsforecast and fable
 * build them for naive methods). Until `minResiduals` errors exist, a Poisson spread in the
 * series' unit stands in. The layout of a ring in a state block; the state is the caller's.
 */
export class ResidualRing {
  readonly stateSize: number;

  constructor(
    readonly capacity: number,
    readonly minResiduals = 4,
  ) {
    // the residuals are written at the head without a bound of their own: the block must hold them
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new RangeError('residualWindows must be an integer >= 1');
    this.stateSize = R_VALUES + Math.ceil(capacity / 2);
  }

  init(st: StateBlock, at: number): void {
    st.f64[at + R_PENDING] = Number.NaN;
  }

  /** Remembers the issued point until its window closes. */
  issue(st: StateBlock, at: number, point: number): void {
    st.f64[at + R_PENDING] = point;
  }

  observe(st: StateBlock, at: number, actual: number): void {
    const s = st.f64;
    const pending = s[at + R_PENDING];
    if (Number.isNaN(pending)) return;
    const head = s[at + R_HEAD];
    st.f32[2 * (at + R_VALUES) + head] = actual - pending;
    s[at + R_HEAD] = (head + 1) % this.capacity;
    if (s[at + R_COUNT] < this.capacity) s[at + R_COUNT]++;
    s[at + R_PENDING] = Number.NaN;
  }

  /** Fills `out` with point + residuals; the point stays the forecaster's own value. */
  fill(st: StateBlock, at: number, out: Predictive, point: number, unit: number): void {
    const count = st.f64[at + R_COUNT];
    if (count < this.minResiduals) {
      fillCountDistribution(out, point / unit, point / unit, 32, unit);
    } else {
      out.clear();
      out.unit = unit;
      const values = st.f32;
      const v = 2 * (at + R_VALUES);
      for (let i = 0; i < count; i++) out.push(point + values[v + i]);
      out.finish();
    }
    out.point = point;
  }
}

/** A point forecaster whose spread is its own recent errors (a residual ring in its block). */
export abstract class ResidualForecaster implements Forecaster {
  abstract readonly name: string;
  readonly stateSize: number;
  private readonly residuals: ResidualRing;

  constructor(o: ForecasterOptions) {
    this.residuals = new ResidualRing(o.residualWindows);
    this.stateSize = this.residuals.stateSize;
  }

  /** The forecast's point for the window after the origin. */
  protected abstract point(h: WindowHistory): number;

  init(st: StateBlock, at: number): void {
    this.residuals.init(st, at);
  }

  predict(h: WindowHistory, out: Predictive, issued: boolean, st: StateBlock, at: number): void {
    const point = this.point(h);
    this.residuals.fill(st, at, out, point, h.unit);
    if (issued) this.residuals.issue(st, at, point);
  }

  observe(actual: number, st: StateBlock, at: number): void {
    this.residuals.observe(st, at, actual);
  }

  answering(): string {
    return this.name;
  }
}
