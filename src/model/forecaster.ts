import type { WindowHistory } from './history';
import type { Predictive } from './predictive';

/**
 * One forecasting strategy for one series (bytes, lines or writes) of one stream: the predictive
 * distribution of the total over the next window, from the trailing windows at the origin.
 *
 * Instances are per stream and per series because some keep state (residuals for their
 * intervals, live scores). The call protocol, driven by StreamModel:
 * - `predict(h, out, true)` at each scoring boundary (a multiple of the window): the forecast
 *   that will be scored. Exactly one `observe(actual)` follows, with the total that then arrived
 *   in that window, before the next issued prediction.
 * - `predict(h, out, false)` at any other origin (the shadow log refreshing between boundaries):
 *   must not change state.
 */
export interface Forecaster {
  readonly name: string;
  predict(history: WindowHistory, out: Predictive, issued: boolean): void;
  observe(actual: number): void;
  /** Memory held per instance, in bytes (for the stream table's budget). */
  readonly stateBytes: number;
  /**
   * True when the forecaster calibrates its own interval levels (`Predictive.levels`); otherwise
   * StreamModel calibrates the levels of its output.
   */
  readonly selfCalibrating?: boolean;
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
