import { calibrateLevels } from './calibration';
import { SERIES_COUNT, SERIES_NAMES } from './forecast';
import type { Predictive } from './predictive';
import { ForecastScorer, jensenShannon } from './scoring';
import { SEVERITY_COUNT } from './severity';
import { f64, region64 } from './typed-arena';

/** Forecasters every stream is scored with: the model, and the two naive references. */
export const TRACK_MODEL = 0;
export const TRACK_NAIVE_LAST = 1;
export const TRACK_MOVING_AVERAGE = 2;
export const TRACK_NAMES = ['model', 'naive-last', 'moving-average'] as const;
export const TRACK_COUNT = 3;
/** Series the scorer keeps history for (bytes and lines; writes are forecast but not scored). */
const SCORED_SERIES = 2;

/** The fields of one issued forecast, for each (series, track): see issuedOffset. */
export const ISSUED_POINT = 0;
export const ISSUED_Q05 = 1;
export const ISSUED_Q25 = 2;
export const ISSUED_Q50 = 3;
export const ISSUED_Q75 = 4;
export const ISSUED_Q95 = 5;
export const ISSUED_FIELDS = 6;

const ISSUED_LENGTH = SERIES_COUNT * TRACK_COUNT * ISSUED_FIELDS;

/** Where a (series, track)'s issued forecast starts in WindowRecord.issued. */
export function issuedOffset(series: number, track: number): number {
  return (series * TRACK_COUNT + track) * ISSUED_FIELDS;
}

/** What one closed scoring window looked like, for offline evaluation. */
export interface WindowRecord {
  startMs: number;
  endMs: number;
  /** actual[series] */
  actual: Float64Array;
  /**
   * issued[issuedOffset(series, track) + k], k: ISSUED_POINT, ISSUED_Q05, ISSUED_Q25, ISSUED_Q50,
   * ISSUED_Q75, ISSUED_Q95: what each tracked forecaster predicted for this window at its start.
   */
  issued: Float64Array;
  /** Real lines per level in the window, and the mix predicted at its start. */
  actualLevels: Float64Array;
  predictedMix: Float64Array;
  /** The model's member that issued the forecast (ensemble), else the model's name. */
  model: string;
}

/**
 * The forecasts a stream's model and the two naive references issued at the start of the open
 * scoring window, kept until it closes and scored then against what arrived, so that a scored
 * forecast never saw any of its window. Fixed memory; issuing and scoring allocate nothing.
 */
export class IssuedForecasts {
  readonly scorer: ForecastScorer;
  /** Every (series, track)'s issued forecast, from io (see issuedOffset). */
  private readonly issued: Float64Array;
  private readonly io: number;
  /** The severity mix predicted for the open window: the model fills it as it issues. */
  readonly mix = f64(SEVERITY_COUNT);
  /** Real lines per level in the open window. */
  private readonly levels = f64(SEVERITY_COUNT);
  private issuedAtMs = Number.NaN;
  /** The forecaster that issued the model's forecast for the open window. */
  private issuedModel = '';
  /** The closing window's actuals, kept until closeWindow hands them to onWindow. */
  private readonly actual: Float64Array | undefined;

  /** `onWindow`: see StreamModelOptions.onWindow. */
  constructor(scorerWindows: number, private readonly onWindow?: (record: WindowRecord) => void) {
    this.scorer = new ForecastScorer(SERIES_NAMES.slice(0, SCORED_SERIES), TRACK_NAMES, scorerWindows);
    [this.issued, this.io] = region64(ISSUED_LENGTH);
    if (onWindow) this.actual = f64(SERIES_COUNT);
  }

  get stateBytes(): number {
    return this.scorer.stateBytes + ISSUED_LENGTH * 8;
  }

  /** Whether the forecasts for the window that began at `startMs` were issued (else it goes unscored). */
  issuedFor(startMs: number): boolean {
    return this.issuedAtMs === startMs;
  }

  /** Nothing issued is scored any more (a dormant stream skipped ahead). */
  forget(): void {
    this.issuedAtMs = Number.NaN;
  }

  /** A line of the open window, at severity index `level`. */
  countLine(level: number): void {
    this.levels[level]++;
  }

  /** A new window opens: its lines are counted from nothing. */
  openWindow(): void {
    this.levels.fill(0);
  }

  /** The model's forecast as already calibrated: ISSUED_FIELDS values from `values` at `offset`. */
  issueModel(series: number, values: Float64Array, offset: number): void {
    const b = this.io + issuedOffset(series, TRACK_MODEL);
    for (let k = 0; k < ISSUED_FIELDS; k++) this.issued[b + k] = values[offset + k];
  }

  /** A reference's forecast, its intervals read off its own predictive distribution. */
  issue(series: number, track: number, p: Predictive, lo90: number, lo50: number): void {
    const b = this.io + issuedOffset(series, track);
    this.issued[b + ISSUED_POINT] = p.point;
    this.issued[b + ISSUED_Q05] = p.quantile(lo90);
    this.issued[b + ISSUED_Q25] = p.quantile(lo50);
    this.issued[b + ISSUED_Q50] = p.quantile(0.5);
    this.issued[b + ISSUED_Q75] = p.quantile(1 - lo50);
    this.issued[b + ISSUED_Q95] = p.quantile(1 - lo90);
  }

  /** Every forecast of the window that begins at `originMs` is issued; `model` names the model's. */
  issuedAt(originMs: number, model: () => string): void {
    this.issuedAtMs = originMs;
    if (this.onWindow) this.issuedModel = model();
  }

  /** Moves the calibration levels at `levels[offset..]` by how the model's issued intervals covered `actual`. */
  calibrate(levels: Float64Array, offset: number, step: number, series: number, actual: number): void {
    const m = this.io + issuedOffset(series, TRACK_MODEL);
    const is = this.issued;
    calibrateLevels(levels, offset, step, actual, is[m + ISSUED_Q05], is[m + ISSUED_Q25], is[m + ISSUED_Q75], is[m + ISSUED_Q95]);
  }

  /** Scores every track's forecast of one series against what the closing window held. */
  score(series: number, actual: number): void {
    const is = this.issued;
    if (series < SCORED_SERIES) {
      for (let t = 0; t < TRACK_COUNT; t++) {
        const b = this.io + issuedOffset(series, t);
        this.scorer.record(series, t, actual, is[b + ISSUED_POINT], is[b + ISSUED_Q05], is[b + ISSUED_Q25], is[b + ISSUED_Q75], is[b + ISSUED_Q95]);
      }
    }
    if (this.actual) this.actual[series] = actual;
  }

  /** The window [endMs - windowMs, endMs) is scored: its severity mix, then the record (onWindow). */
  closeWindow(endMs: number, windowMs: number): void {
    this.scorer.recordDivergence(jensenShannon(this.mix, this.levels));
    if (this.onWindow && this.actual) {
      const rec = sharedRecord();
      rec.startMs = endMs - windowMs;
      rec.endMs = endMs;
      rec.actual.set(this.actual);
      for (let k = 0; k < ISSUED_LENGTH; k++) rec.issued[k] = this.issued[this.io + k];
      rec.actualLevels.set(this.levels);
      rec.predictedMix.set(this.mix);
      rec.model = this.issuedModel;
      this.onWindow(rec);
    }
  }
}

let record: WindowRecord | null = null;

/**
 * The one record every model hands to its onWindow (the models run on one thread, and a receiver
 * copies what it keeps): one per model was about 1 KiB of each. Made outside any model's arena,
 * which it would otherwise keep alive.
 */
function sharedRecord(): WindowRecord {
  record ??= {
    startMs: 0, endMs: 0, actual: new Float64Array(SERIES_COUNT), issued: new Float64Array(ISSUED_LENGTH),
    actualLevels: new Float64Array(SEVERITY_COUNT), predictedMix: new Float64Array(SEVERITY_COUNT), model: '',
  };
  return record;
}
