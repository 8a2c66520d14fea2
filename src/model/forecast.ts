import { SEVERITY_COUNT } from './severity';

/** Series of the slot ring, and of forecasts. */
export const SERIES_BYTES = 0;
export const SERIES_LINES = 1;
export const SERIES_WRITES = 2;
export const SERIES_NAMES = ['bytes', 'lines', 'writes'] as const;
export const SERIES_COUNT = 3;

/** One forecast quantity over the horizon. `point` is the value MAE scores (see Predictive.point). */
export interface Quantiles {
  mean: number;
  point: number;
  median: number;
  q05: number;
  q25: number;
  q75: number;
  q95: number;
}

export interface Forecast {
  /** The forecast covers [originMs, originMs + horizonMs): origin is the last closed slot boundary. */
  originMs: number;
  horizonMs: number;
  bytes: Quantiles;
  lines: Quantiles;
  /**
   * Entries (a stack trace under its first line is one entry): the lines forecast scaled by the
   * stream's share of lines that start an entry.
   */
  entries: Quantiles;
  writes: Quantiles;
  /**
   * Lines per severity level, by SEVERITY_LEVELS index. Only the means are made with the
   * forecast; the quantiles once a view asks (fillLevelQuantiles): the shadow refresh needs the
   * means, and the quantiles were most of a forecast's cost.
   */
  levels: Quantiles[];
  /** Whether `levels` holds its quantiles (see fillLevelQuantiles). */
  levelQuantiles: boolean;
  /**
   * The line count over one window, its mean and variance, and the horizon in windows: what the
   * level quantiles are drawn from.
   */
  windowLines: { mean: number; variance: number; scale: number };
  /** Expected severity mix of lines (sums to 1). */
  levelMix: Float64Array;
  /** Expected severity mix of entries (sums to 1). */
  entryLevelMix: Float64Array;
  confidence: number;
  /** The forecaster currently answering (the ensemble's selected member). */
  model: string;
  burst: boolean;
  /** Detected activity period, ms (0: none). */
  periodMs: number;
}

function emptyQuantiles(): Quantiles {
  return { mean: 0, point: 0, median: 0, q05: 0, q25: 0, q75: 0, q95: 0 };
}

export function createForecast(): Forecast {
  const levels: Quantiles[] = [];
  for (let i = 0; i < SEVERITY_COUNT; i++) levels.push(emptyQuantiles());
  return {
    originMs: Number.NaN, horizonMs: 0, bytes: emptyQuantiles(), lines: emptyQuantiles(), entries: emptyQuantiles(),
    writes: emptyQuantiles(), levels, levelQuantiles: true, windowLines: { mean: 0, variance: 0, scale: 0 }, levelMix: new Float64Array(SEVERITY_COUNT),
    entryLevelMix: new Float64Array(SEVERITY_COUNT), confidence: 0, model: '', burst: false, periodMs: 0,
  };
}

export function zeroQuantiles(q: Quantiles): void {
  q.mean = 0;
  q.point = 0;
  q.median = 0;
  q.q05 = 0;
  q.q25 = 0;
  q.q75 = 0;
  q.q95 = 0;
}
