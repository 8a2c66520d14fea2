import { f64 } from './typed-arena';
/**
 * Online calibration of quantile bounds, after adaptive conformal inference (Gibbs & Candes,
 * NeurIPS 2021), one bound at a time. A bound is read from a forecaster's predictive distribution
 * at a level; after each scored window the level moves by gamma (target - 1[y <= q]) for an upper
 * bound, gamma (target - 1[y < q]) for a lower one. Whatever the forecaster and however the
 * stream drifts, the long-run fraction of windows at or below an upper bound then converges to
 * its target (within about 1 / (gamma T) over T windows), and likewise below a lower bound. So the
 * 95% bound is a calibrated upper quantile (what the pre-allocator reserves from, and what the
 * pinball loss at 0.95 scores) and [5%, 95%] a calibrated 90% interval.
 *
 * Levels may leave [0, 1]: beyond the sample the predictive's tails are extended (see
 * Predictive.quantile). A lower level stays at or below the median and an upper one at or above,
 * so bounds never cross the centre; for a sparse stream whose lower bound is 0 (it cannot miss),
 * the 90% interval then covers up to 95%.
 */
export function stepLevel(level: number, target: number, upper: boolean, gamma: number, y: number, q: number): number {
  if (upper) {
    // P(y <= q) should be the target: widen a lot on a miss, narrow a little on a hit
    const l = level + gamma * (target - (y <= q ? 1 : 0));
    return l < 0.5 ? 0.5 : l > 3 ? 3 : l;
  }
  const l = level + gamma * (target - (y < q ? 1 : 0));
  return l > 0.5 ? 0.5 : l < -2 ? -2 : l;
}

/** Nominal levels of the four interval bounds: the 90% and 50% central intervals. */
export const BOUND_TARGETS = [0.05, 0.25, 0.75, 0.95] as const;

/** Sets the four levels at `levels[at .. at + 4)` to their nominal values. */
export function resetLevels(levels: Float64Array, at: number): void {
  for (let k = 0; k < 4; k++) levels[at + k] = BOUND_TARGETS[k];
}

/**
 * Calibrates the four bounds (5, 25, 75, 95%) whose levels live at `levels[at .. at + 4)`, with
 * the bounds issued for a window and what arrived in it. A flat array so that many forecasters'
 * levels fit in one typed array (memory per stream matters: thousands of streams).
 */
export function calibrateLevels(levels: Float64Array, at: number, gamma: number, actual: number, q05: number,
  q25: number, q75: number, q95: number): void {
  levels[at] = stepLevel(levels[at], BOUND_TARGETS[0], false, gamma, actual, q05);
  levels[at + 1] = stepLevel(levels[at + 1], BOUND_TARGETS[1], false, gamma, actual, q25);
  levels[at + 2] = stepLevel(levels[at + 2], BOUND_TARGETS[2], true, gamma, actual, q75);
  levels[at + 3] = stepLevel(levels[at + 3], BOUND_TARGETS[3], true, gamma, actual, q95);
}

/** One calibrated bound, for use on its own. */
export class AdaptiveQuantile {
  level: number;

  constructor(
    readonly target: number,
    readonly upper: boolean,
    readonly gamma = 0.02,
  ) {
    if (!(target > 0 && target < 1)) throw new RangeError('target in (0,1)');
    if (!(gamma >= 0)) throw new RangeError('gamma must be >= 0');
    this.level = target;
  }

  /** `y` against the bound `q` issued for its window. */
  update(y: number, q: number): void {
    this.level = stepLevel(this.level, this.target, this.upper, this.gamma, y, q);
  }
}

/** The four bounds of one forecaster's 50% and 90% intervals. */
export class IntervalCalibrator {
  readonly levels = f64(4);

  constructor(readonly gamma = 0.02) {
    resetLevels(this.levels, 0);
  }

  /** Calibrated level of bound k (0: 5%, 1: 25%, 2: 75%, 3: 95%). */
  level(k: number): number {
    return this.levels[k];
  }

  update(actual: number, q05: number, q25: number, q75: number, q95: number): void {
    calibrateLevels(this.levels, 0, this.gamma, actual, q05, q25, q75, q95);
  }
}
