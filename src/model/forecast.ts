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

// A packed Quantiles' fields, in order.
const Q_MEAN = 0;
const Q_POINT = 1;
const Q_MEDIAN = 2;
const Q_05 = 3;
const Q_25 = 4;
const Q_75 = 5;
const Q_95 = 6;
const Q_FIELDS = 7;
/** Quantities of a forecast: bytes, lines, entries, writes, then the levels. */
const QUANTITIES = 4 + SEVERITY_COUNT;

/**
 * A Quantiles whose numbers live in one Float64Array shared by its forecast's quantities. A forecast
 * is kept per modelled stream, and as plain objects its twelve quantities held 84 numbers boxed one
 * by one: 3.2 KiB of heap a stream, about 3 MiB of the daemon's RSS with 1,000 streams.
 */
class PackedQuantiles implements Quantiles {
  constructor(private readonly v: Float64Array, private readonly at: number) {}

  get mean(): number { return this.v[this.at + Q_MEAN]; }
  set mean(x: number) { this.v[this.at + Q_MEAN] = x; }
  get point(): number { return this.v[this.at + Q_POINT]; }
  set point(x: number) { this.v[this.at + Q_POINT] = x; }
  get median(): number { return this.v[this.at + Q_MEDIAN]; }
  set median(x: number) { this.v[this.at + Q_MEDIAN] = x; }
  get q05(): number { return this.v[this.at + Q_05]; }
  set q05(x: number) { this.v[this.at + Q_05] = x; }
  get q25(): number { return this.v[this.at + Q_25]; }
  set q25(x: number) { this.v[this.at + Q_25] = x; }
  get q75(): number { return this.v[this.at + Q_75]; }
  set q75(x: number) { this.v[this.at + Q_75] = x; }
  get q95(): number { return this.v[this.at + Q_95]; }
  set q95(x: number) { this.v[this.at + Q_95] = x; }

  /** As the plain object it stands for (its fields are accessors). */
  toJSON(): Quantiles {
    return { mean: this.mean, point: this.point, median: this.median, q05: this.q05, q25: this.q25, q75: this.q75, q95: this.q95 };
  }
}

export function createForecast(): Forecast {
  // the quantities, then the two mixes, in one buffer
  const mixes = QUANTITIES * Q_FIELDS;
  const v = new Float64Array(mixes + 2 * SEVERITY_COUNT);
  const q = (k: number): Quantiles => new PackedQuantiles(v, k * Q_FIELDS);
  const levels: Quantiles[] = [];
  for (let i = 0; i < SEVERITY_COUNT; i++) levels.push(q(4 + i));
  return {
    originMs: Number.NaN, horizonMs: 0, bytes: q(0), lines: q(1), entries: q(2), writes: q(3), levels, levelQuantiles: true,
    windowLines: { mean: 0, variance: 0, scale: 0 }, levelMix: v.subarray(mixes, mixes + SEVERITY_COUNT),
    entryLevelMix: v.subarray(mixes + SEVERITY_COUNT), confidence: 0, model: '', burst: false, periodMs: 0,
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
