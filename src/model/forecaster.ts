import type { WindowHistory } from './history';
import type { Predictive } from './predictive';

/**
 * Where forecaster instances keep their state: one buffer seen as 64-bit and as 32-bit floats. A
 * block is a position `at` in it, in 64-bit slots, and the `stateSize` slots from there; a 32-bit
 * value at slot `at + k`, half `j`, is `f32[2 * (at + k) + j]`.
 */
export interface StateBlock {
  readonly f64: Float64Array;
  readonly f32: Float32Array;
}

/**
 * One forecasting strategy for one series (bytes, lines or writes) of a stream: the predictive
 * distribution of the total over the next window, from the trailing windows at the origin.
 *
 * A strategy holds no per-stream state: an instance is the strategy and a block of state
 * (`stateSize` slots at `at` in `st`) that the caller owns. So one strategy object serves every
 * stream and series, and a stream's models are numbers in its own buffer, not objects: a
 * thousand streams x three series x an ensemble of six were some fifty objects and a dozen typed
 * arrays per stream before, about 4 KiB of heap each.
 *
 * The call protocol, driven by StreamModel (blocks come zeroed, then `init`):
 * - `predict(h, out, true, ...)` at each scoring boundary (a multiple of the window): the forecast
 *   that will be scored. Exactly one `observe(actual, ...)` follows, with the total that then
 *   arrived in that window, before the next issued prediction.
 * - `predict(h, out, false, ...)` at any other origin (the shadow log refreshing between
 *   boundaries): must not change state.
 */
export interface Forecaster {
  readonly name: string;
  /** 64-bit slots of state per instance (0: stateless). */
  readonly stateSize: number;
  /**
   * True when the forecaster calibrates its own interval levels (`Predictive.levels`); otherwise
   * StreamModel calibrates the levels of its output.
   */
  readonly selfCalibrating?: boolean;
  /** Prepares a new instance's block (zeroed by the caller). */
  init(st: StateBlock, at: number): void;
  predict(history: WindowHistory, out: Predictive, issued: boolean, st: StateBlock, at: number): void;
  observe(actual: number, st: StateBlock, at: number): void;
  /** What answers for the instance: the strategy's own name, or an ensemble's selection. */
  answering(st: StateBlock, at: number): string;
}

/** A strategy without per-instance state. */
export abstract class StatelessForecaster implements Forecaster {
  abstract readonly name: string;
  readonly stateSize = 0;

  abstract predict(history: WindowHistory, out: Predictive, issued: boolean, st: StateBlock, at: number): void;

  init(): void {}

  observe(): void {}

  answering(): string {
    return this.name;
  }
}

/** Options every forecaster factory receives; each reads what it needs. */
export interface ForecasterOptions {
  /** Windows in a moving average (the naive `moving-average`). */
  movingAverageWindows: number;
  /** Recent residuals kept for residual-based intervals. */
  residualWindows: number;
  /** Components of the ensemble, by registered name. */
  ensembleMembers: readonly string[];
  /** Decay (per scored window) of the ensemble's live scores. */
  ensembleScoreHalfLife: number;
  /** Relative margin a challenger must win by before the ensemble switches (hysteresis). */
  ensembleSwitchMargin: number;
  /** Scored windows before the ensemble trusts its scores over its first member. */
  ensembleMinScored: number;
  /**
   * 'split': the ensemble's point comes from the member with the best recent absolute error and
   * its distribution from the one with the best five-quantile score; 'quantile': both from the
   * latter.
   */
  ensembleSelectBy: 'split' | 'quantile';
  /** Slots of the ensemble's level-shift test and recent-rate projection (0 disables it). */
  ensembleShiftSlots: number;
  /** Step of the online interval calibration (see IntervalCalibrator); 0 leaves levels nominal. */
  calibrationStep: number;
}

export const DEFAULT_FORECASTER_OPTIONS: ForecasterOptions = {
  movingAverageWindows: 6,
  residualWindows: 32,
  ensembleMembers: ['naive-last', 'moving-average', 'empirical', 'analog', 'negbin', 'holt'],
  ensembleScoreHalfLife: 16,
  ensembleSwitchMargin: 0.05,
  ensembleMinScored: 3,
  ensembleSelectBy: 'split',
  ensembleShiftSlots: 2,
  calibrationStep: 0.02,
};

export type ForecasterFactory = (options: ForecasterOptions) => Forecaster;
