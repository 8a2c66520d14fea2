import { StatelessForecaster } from '../forecaster';
import type { WindowHistory } from '../history';
import type { Predictive } from '../predictive';
import { lastWindowOrRate } from './common';

/**
 * Analog (nearest-neighbour) forecasting: find the past origins whose recent context looks most
 * like the present, and take what followed them as the predictive sample. The context is the last
 * two windows and, when the stream has a detected period of at least a window, the window one
 * period before the target, all on a log scale in the series' units (so "quiet", "a few lines"
 * and "flood" are far apart while flood-level noise is not). This captures the structure that
 * plain smoothing misses on real logs: regimes (a flood goes on, silence goes on), the typical
 * aftermath of a burst (the short tail that follows the first window of a burst), and heartbeats.
 *
 * Candidates are past origins every `strideSlots` slots (2 by default: overlapping windows give
 * five times the analogs of window-aligned ones, from the same history). A quarter of them, at
 * least `minNeighbours`, are kept. Ties (e.g. many silent contexts) prefer the most recent
 * origins. Stateless; scratch buffers are shared by all instances (single thread).
 */
let prefix = new Float64Array(0);
const bestDist = new Float64Array(64);
const bestNext = new Float64Array(64);

export interface AnalogOptions {
  /** 0 = one window. */
  strideSlots: number;
  minNeighbours: number;
  neighbourFraction: number;
  previousWeight: number;
  seasonalWeight: number;
}

const DEFAULTS: Readonly<AnalogOptions> = Object.freeze({
  strideSlots: 2,
  minNeighbours: 8,
  neighbourFraction: 0.25,
  previousWeight: 0.5,
  seasonalWeight: 1,
});

export class Analog extends StatelessForecaster {
  readonly name = 'analog';
  readonly options: Readonly<AnalogOptions>;

  constructor(options?: Partial<AnalogOptions>) {
    super();
    // The defaults shared by every instance made without options.
    this.options = options ? { ...DEFAULTS, ...options } : DEFAULTS;
  }

  predict(h: WindowHistory, out: Predictive): void {
    out.clear();
    out.unit = h.unit;
    const S = h.slotsPerWindow;
    const n = h.slotCount;
    if (h.length < 4) {
      out.setPoint(lastWindowOrRate(h));
      return;
    }
    if (prefix.length < n + 1) prefix = new Float64Array(Math.max(n + 1, 2 * prefix.length)); // grows once
    prefix[0] = 0;
    for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + h.slot(i);
    const u = h.unit > 0 ? h.unit : 1;
    const o = this.options;
    const P = h.periodSlots >= S && h.periodSlots + S <= n ? h.periodSlots : 0;
    const ws = P > 0 ? o.seasonalWeight : 0;
    const c0 = Math.log1p(win(0, S) / u);
    const c1 = Math.log1p(win(S, S) / u);
    const cs = P > 0 ? Math.log1p(win(P - S, S) / u) : 0;
    const stride = o.strideSlots > 0 ? o.strideSlots : S;
    const lastStart = n - 2 * S; // context windows [l, l + 2S) must fit
    const maxLag = P > 0 ? Math.min(lastStart, n - P) : lastStart;
    let candidates = 0;
    for (let l = S; l <= maxLag; l += stride) candidates++;
    if (candidates < 3) {
      out.setPoint(lastWindowOrRate(h));
      return;
    }
    const m = Math.min(bestDist.length, out.capacity, candidates,
      Math.max(o.minNeighbours, Math.ceil(candidates * o.neighbourFraction)));
    let kept = 0;
    for (let l = S; l <= maxLag; l += stride) {
      let d = Math.abs(Math.log1p(win(l, S) / u) - c0) + o.previousWeight * Math.abs(Math.log1p(win(l + S, S) / u) - c1);
      if (ws > 0) d += ws * Math.abs(Math.log1p(win(l - S + P, S) / u) - cs);
      d += l * 1e-9; // recency breaks ties
      if (kept === m && d >= bestDist[m - 1]) continue;
      let j = kept < m ? kept++ : m - 1;
      while (j > 0 && bestDist[j - 1] > d) {
        bestDist[j] = bestDist[j - 1];
        bestNext[j] = bestNext[j - 1];
        j--;
      }
      bestDist[j] = d;
      bestNext[j] = win(l - S, S);
    }
    for (let i = 0; i < kept; i++) out.push(bestNext[i]);
    out.finish();
  }
}

/** Window of `len` slots whose most recent slot is `lag` slots back, from the prefix sums. */
function win(lag: number, len: number): number {
  return prefix[lag + len] - prefix[lag];
}
