import { ForecastScorer, jensenShannon } from './scoring';
import { BurstDetector } from './burst';
import { calibrateLevels, resetLevels } from './calibration';
import { confidence } from './confidence';
import { MultiEwmaRate } from './ewma';
import type { Forecaster, ForecasterOptions } from './forecaster';
import { createResolved, resolveForecasterOptions } from './forecasters';
import type { Ensemble } from './forecasters/ensemble';
import { RingHistory } from './history';
import { Holt } from './holt';
import { fanoFactor, InterArrivalStats } from './interarrival';
import { LogHistogram } from './log-histogram';
import { detectPeriod, type PeriodOptions } from './periodicity';
import { fillCountDistribution, Predictive } from './predictive';
import {
  blendedSeverityMix,
  clampSeverity,
  DecayingSeverityHistogram,
  SEV_UNKNOWN,
  SEVERITY_COUNT,
} from './severity';
import { SlotRing } from './slot-ring';
import { Welford } from './welford';

/** Series of the slot ring, and of forecasts. */
export const SERIES_BYTES = 0;
export const SERIES_LINES = 1;
export const SERIES_WRITES = 2;
export const SERIES_NAMES = ['bytes', 'lines', 'writes'] as const;
const SERIES_COUNT = 3;

/** Forecasters every stream is scored with: the model, and the two naive references. */
export const TRACK_MODEL = 0;
export const TRACK_NAIVE_LAST = 1;
export const TRACK_MOVING_AVERAGE = 2;
export const TRACK_NAMES = ['model', 'naive-last', 'moving-average'] as const;
const TRACK_COUNT = 3;
/** Series the scorer keeps history for (bytes and lines; writes are forecast but not scored). */
const SCORED_SERIES = 2;

export interface StreamModelOptions {
  /** The horizon and scoring window, ms. */
  windowMs: number;
  /** Slots per window: the resolution at which a forecast origin can move (default 10: 1 s). */
  slotsPerWindow: number;
  /** Windows of history kept at slot resolution. */
  historyWindows: number;
  /** The model, by registered forecaster name. */
  forecaster: string;
  forecasterOptions: Partial<ForecasterOptions>;
  /** EWMA rate time constants, ms, shortest first. */
  rateTausMs: readonly number[];
  holtAlpha: number;
  holtBeta: number;
  /** Relative accuracy of the size sketches. */
  sizeAccuracy: number;
  /** Largest size the sketches resolve (larger ones land in the top bin). */
  maxSize: number;
  /** Scored windows kept per stream and forecaster. */
  scorerWindows: number;
  severityShortTauMs: number;
  severityLongTauMs: number;
  /** Pseudo-lines of long-term mix mixed into the short-term one. */
  severityPriorLines: number;
  /** Search a period every this many windows (0: never). */
  periodEveryWindows: number;
  /** Longest period searched, ms. */
  maxPeriodMs: number;
  /**
   * Called at every closed scoring window, for offline evaluation (the live system leaves it
   * unset). The record is reused between calls: copy what you keep.
   */
  onWindow?: (record: WindowRecord) => void;
}

export const DEFAULT_STREAM_MODEL_OPTIONS: StreamModelOptions = {
  windowMs: 10_000,
  slotsPerWindow: 10,
  historyWindows: 36,
  forecaster: 'ensemble',
  forecasterOptions: {},
  rateTausMs: [1_000, 10_000, 60_000, 300_000],
  holtAlpha: 0.2,
  holtBeta: 0.05,
  sizeAccuracy: 0.025,
  maxSize: 1 << 20,
  scorerWindows: 32,
  severityShortTauMs: 10_000,
  severityLongTauMs: 300_000,
  severityPriorLines: 5,
  periodEveryWindows: 3,
  maxPeriodMs: 150_000,
};

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
  /** Lines per severity level, by SEVERITY_LEVELS index. */
  levels: Quantiles[];
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
    writes: emptyQuantiles(), levels, levelMix: new Float64Array(SEVERITY_COUNT), entryLevelMix: new Float64Array(SEVERITY_COUNT),
    confidence: 0, model: '', burst: false, periodMs: 0,
  };
}

/** Predicted entries of the horizon, struct-of-arrays, preallocated by `createEntries(n)`. */
export interface PredictedEntries {
  count: number;
  readonly timeMs: Float64Array;
  readonly level: Uint8Array;
  readonly bytes: Float64Array;
  /** Lines each predicted entry stands for: the stream's lines per entry, times the entries each stands for (> 1 when more are expected than the buffer holds). */
  linesPerEntry: number;
}

export function createEntries(capacity: number): PredictedEntries {
  return {
    count: 0, timeMs: new Float64Array(capacity), level: new Uint8Array(capacity), bytes: new Float64Array(capacity),
    linesPerEntry: 1,
  };
}

/** What one closed scoring window looked like, for offline evaluation. */
export interface WindowRecord {
  startMs: number;
  endMs: number;
  /** actual[series] */
  actual: Float64Array;
  /**
   * issued[(series * TRACK_COUNT + track) * 6 + k], k: 0 point, 1 q05, 2 q25, 3 median, 4 q75,
   * 5 q95: what each tracked forecaster predicted for this window at its start.
   */
  issued: Float64Array;
  /** Real lines per level in the window, and the mix predicted at its start. */
  actualLevels: Float64Array;
  predictedMix: Float64Array;
  /** The model's member that issued the forecast (ensemble), else the model's name. */
  model: string;
}

export interface StreamStats {
  /** Per second, at each of `rateTausMs`. */
  writesPerSec: number[];
  linesPerSec: number[];
  bytesPerSec: number[];
  holtBytesPerSec: { level: number; trend: number };
  writeSize: { mean: number; variance: number; p50: number; p90: number; p99: number };
  lineLength: { mean: number; variance: number; p50: number; p90: number; p99: number };
  levelMix: number[];
  interArrival: { meanMs: number; cv: number };
  fano: number;
  burst: boolean;
  periodMs: number;
  confidence: number;
  model: string;
}

// Issued-forecast layout per (series, track).
const I_POINT = 0;
const I_Q05 = 1;
const I_Q25 = 2;
const I_Q50 = 3;
const I_Q75 = 4;
const I_Q95 = 5;
const I_FIELDS = 6;
// Cached model forecast layout per series.
const C_MEAN = 6;
const C_VAR = 7;
const C_FIELDS = 8;

/** Lines over which the share of lines starting an entry is averaged. */
const ENTRY_SHARE_LINES = 1000;

// Scratch shared by every stream (the model runs on one thread).
const pred = new Predictive(64);
const levelPred = new Predictive(32);
const mixScratch = new Float64Array(SEVERITY_COUNT);

/**
 * Everything logshadow models about one stream (one file, or one writing application), fed with
 * plain numbers by the profiler and asked for forecasts by the shadow log. Memory is fixed at
 * construction (`stateBytes`); per-event updates allocate nothing.
 *
 * Time and windows. Times are ms on one monotonic clock. History is kept in slots of
 * windowMs / slotsPerWindow (1 s by default), aligned to multiples of the slot length; scoring
 * windows are aligned to multiples of windowMs. A forecast is always made at the end of the last
 * closed slot (its origin) for [origin, origin + windowMs): the shadow log can ask at any tick and
 * gets a forecast at most one slot old. At every multiple of windowMs (a scoring boundary) the
 * forecasts of the model and of the two naive references are issued and kept; when that window
 * closes they are scored against what arrived, so a scored forecast never saw any of its window.
 *
 * Idle streams cost nothing per tick: call `endTick` only for streams that had events; a stream
 * catches up lazily (scoring the windows it missed) when it is next fed or asked. After a whole
 * history of silence plus one window it goes dormant: further empty windows are skipped, not
 * scored.
 *
 * The protocol per tick: `observeWrite(t, bytes)` for each write drained (in time order), each
 * followed by `observeLine(length, severity)` for each complete line that write finished, then
 * `endTick(now)`. Lines carry no time of their own: they count in the slot of the latest write, so
 * a profiler that reads content back after all of a tick's writes misplaces lines by at most a
 * tick (they still land in the right scoring window unless the tick straddles its boundary).
 */
export class StreamModel {
  readonly options: StreamModelOptions;
  readonly scorer: ForecastScorer;
  readonly writeSizes: LogHistogram;
  readonly lineLengths: LogHistogram;
  readonly writeSizeMoments = new Welford(4096);
  readonly lineLengthMoments = new Welford(4096);
  readonly interArrival = new InterArrivalStats();
  readonly burst = new BurstDetector();
  readonly holt: Holt;
  readonly writeRates: MultiEwmaRate;
  readonly lineRates: MultiEwmaRate;
  readonly byteRates: MultiEwmaRate;
  readonly severityShort: DecayingSeverityHistogram;
  readonly severityLong: DecayingSeverityHistogram;
  /** Entries by level (the level of an entry's first line), long memory. */
  readonly entrySeverity: DecayingSeverityHistogram;

  private readonly ring: SlotRing;
  private readonly histories: RingHistory[];
  private readonly models: Forecaster[] = [];
  private readonly naiveLast: Forecaster[] = [];
  private readonly movingAverage: Forecaster[] = [];
  /** Per series, four levels, for a model that does not calibrate its own intervals. */
  private readonly levels = new Float64Array(SERIES_COUNT * 4);
  private readonly calibrationStep: number;
  private readonly issued = new Float64Array(SERIES_COUNT * TRACK_COUNT * I_FIELDS);
  private readonly issuedMix = new Float64Array(SEVERITY_COUNT);
  private issuedAtMs = Number.NaN;
  /** The forecaster that issued the model's forecast for the open window. */
  private issuedModel = '';
  private readonly windowLevels = new Float64Array(SEVERITY_COUNT);
  private readonly cache = new Float64Array(SERIES_COUNT * C_FIELDS);
  private cacheClosed = -1;
  private lastWriteMs = Number.NaN;
  private emptySlots = 0;
  private windowsClosed = 0;
  private periodSlots = 0;
  private linesSeen = 0;
  /** Share of lines that start an entry, averaged over the last ~ENTRY_SHARE_LINES lines. */
  private entryShare = 1;
  private readonly record: WindowRecord | undefined;
  /** Onsets (an active slot after a silent one), so that a burst counts once, like a beat. */
  private readonly onsetAt = (lag: number): boolean =>
    this.ring.slot(SERIES_WRITES, lag) > 0 && this.ring.slot(SERIES_WRITES, lag + 1) === 0;
  private readonly periodOptions: PeriodOptions;

  constructor(options: Partial<StreamModelOptions> = {}) {
    const o = { ...DEFAULT_STREAM_MODEL_OPTIONS, ...options };
    if (!(o.windowMs > 0) || !Number.isInteger(o.slotsPerWindow) || o.slotsPerWindow < 1) {
      throw new RangeError('windowMs must be > 0 and slotsPerWindow a positive integer');
    }
    if (!(o.historyWindows >= 2)) throw new RangeError('historyWindows must be >= 2');
    this.options = o;
    this.ring = new SlotRing(SERIES_COUNT, o.historyWindows * o.slotsPerWindow, o.windowMs / o.slotsPerWindow,
      o.slotsPerWindow);
    this.histories = [];
    const fo = resolveForecasterOptions(o.forecasterOptions);
    for (let s = 0; s < SERIES_COUNT; s++) {
      this.histories.push(new RingHistory(this.ring, s));
      this.models.push(createResolved(o.forecaster, fo));
      this.naiveLast.push(createResolved('naive-last', fo));
      this.movingAverage.push(createResolved('moving-average', fo));
      resetLevels(this.levels, s * 4);
    }
    this.calibrationStep = fo.calibrationStep;
    this.periodOptions = {
      minLag: o.slotsPerWindow, maxLag: Math.floor(o.maxPeriodMs / this.ring.slotMs), minRecurrence: 0.6, minActive: 4,
    };
    this.scorer = new ForecastScorer(SERIES_NAMES.slice(0, SCORED_SERIES), TRACK_NAMES, o.scorerWindows);
    this.writeSizes = new LogHistogram({ relativeAccuracy: o.sizeAccuracy, maxValue: o.maxSize });
    this.lineLengths = new LogHistogram({ relativeAccuracy: o.sizeAccuracy, maxValue: o.maxSize });
    this.holt = new Holt(o.holtAlpha, o.holtBeta);
    this.writeRates = new MultiEwmaRate(o.rateTausMs);
    this.lineRates = new MultiEwmaRate(o.rateTausMs);
    this.byteRates = new MultiEwmaRate(o.rateTausMs);
    this.severityShort = new DecayingSeverityHistogram(o.severityShortTauMs);
    this.severityLong = new DecayingSeverityHistogram(o.severityLongTauMs);
    this.entrySeverity = new DecayingSeverityHistogram(o.severityLongTauMs);
    if (o.onWindow) {
      this.record = {
        startMs: 0, endMs: 0, actual: new Float64Array(SERIES_COUNT),
        issued: new Float64Array(SERIES_COUNT * TRACK_COUNT * I_FIELDS), actualLevels: new Float64Array(SEVERITY_COUNT),
        predictedMix: new Float64Array(SEVERITY_COUNT), model: '',
      };
    }
  }

  /** Approximate memory held by this stream's model, bytes (typed arrays and forecaster state). */
  get stateBytes(): number {
    let s = this.ring.data.byteLength + this.scorer.stateBytes + this.writeSizes.counts.byteLength +
      this.lineLengths.counts.byteLength + this.issued.byteLength + this.cache.byteLength + 1024;
    s += this.histories.length * this.ring.capacity / this.ring.slotsPerWindow * 8;
    for (let i = 0; i < SERIES_COUNT; i++) {
      s += this.models[i].stateBytes + this.naiveLast[i].stateBytes + this.movingAverage[i].stateBytes;
    }
    return s;
  }

  get windowMs(): number {
    return this.options.windowMs;
  }

  /** A write of `bytes` at `timeMs`. Writes must come in time order (late ones count in the open slot). */
  observeWrite(timeMs: number, bytes: number): void {
    this.advanceTo(timeMs);
    const r = this.ring;
    r.add(SERIES_BYTES, bytes);
    r.add(SERIES_WRITES, 1);
    this.writeRates.add(timeMs, 1);
    this.byteRates.add(timeMs, bytes);
    this.writeSizes.add(bytes);
    this.writeSizeMoments.add(bytes);
    this.interArrival.observe(timeMs);
    if (Number.isNaN(this.lastWriteMs) || timeMs > this.lastWriteMs) this.lastWriteMs = timeMs;
    this.emptySlots = 0;
  }

  /**
   * A complete line of `lengthBytes` (newline included) and severity index, in the last write;
   * `startsEntry` false for a continuation line (a stack frame under its entry's first line).
   */
  observeLine(lengthBytes: number, severity: number, startsEntry = true): void {
    const t = this.lastWriteMs;
    if (Number.isNaN(t)) return; // a line without a write: nothing to time it by
    const level = clampSeverity(severity);
    this.ring.add(SERIES_LINES, 1);
    this.lineRates.add(t, 1);
    this.lineLengths.add(lengthBytes);
    this.lineLengthMoments.add(lengthBytes);
    this.severityShort.add(level, t);
    this.severityLong.add(level, t);
    this.windowLevels[level]++;
    this.linesSeen++;
    this.entryShare += ((startsEntry ? 1 : 0) - this.entryShare) / Math.min(this.linesSeen, ENTRY_SHARE_LINES);
    if (startsEntry) this.entrySeverity.add(level, t);
  }

  /** Closes the slots (and scoring windows) that ended by `nowMs`. */
  endTick(nowMs: number): void {
    this.advanceTo(nowMs);
  }

  /**
   * Rolls time forward to `timeMs`: closes slots, and at each scoring boundary scores the window
   * that closed and issues the forecasts for the next. Lazily catches up after idle periods.
   */
  advanceTo(timeMs: number): void {
    const r = this.ring;
    if (!r.started) {
      r.start(timeMs);
      return;
    }
    const W = this.options.windowMs;
    while (timeMs >= r.openEndMs) {
      if (this.emptySlots >= r.capacity + r.slotsPerWindow && r.openValue(SERIES_WRITES) === 0) {
        // Dormant: the whole history is silent and a silent window has been scored after it, so
        // every forecaster predicts zero and scoring more empty windows would only flatter it.
        // Jump to the last scoring boundary before timeMs and issue afresh from there.
        const slots = Math.floor((Math.floor(timeMs / W) * W - r.openStartMs) / r.slotMs + 1e-9);
        if (slots > 0) {
          r.skipEmpty(slots);
          this.emptySlots += slots;
          this.issuedAtMs = Number.NaN;
          this.onBoundary();
          continue;
        }
      }
      const empty = r.openValue(SERIES_WRITES) === 0;
      this.closeSlot();
      this.emptySlots = empty ? this.emptySlots + 1 : 0;
      if (Math.round(r.openStartMs / r.slotMs) % r.slotsPerWindow === 0) this.onBoundary();
    }
  }

  private closeSlot(): void {
    const r = this.ring;
    const slotSec = r.slotMs / 1000;
    this.holt.update(r.openValue(SERIES_BYTES) / slotSec, 1);
    r.closeSlot();
    const now = r.openStartMs;
    this.burst.update(this.writeRates.rate(0, now), this.writeRates.rate(Math.min(2, this.writeRates.size - 1), now),
      this.writeRates.tausMs[0], now);
  }

  private unitFor(series: number): number {
    if (series !== SERIES_BYTES) return 1;
    // bytes are modelled as counts of lines (or writes, when lines are not parsed) of the mean size
    const m = this.linesSeen > 0 ? this.lineLengthMoments.mean : this.writeSizeMoments.mean;
    return m > 0 ? m : 1;
  }

  private onBoundary(): void {
    const r = this.ring;
    const W = this.options.windowMs;
    const origin = r.openStartMs;
    this.windowsClosed++;
    if (this.issuedAtMs === origin - W) this.scoreWindow(origin);
    this.windowLevels.fill(0);

    const pe = this.options.periodEveryWindows;
    if (pe > 0 && this.windowsClosed % pe === 0) {
      this.periodSlots = detectPeriod(this.onsetAt, r.slotCount, this.periodOptions);
    }

    for (let s = 0; s < SERIES_COUNT; s++) {
      const h = this.prepareHistory(s);
      this.models[s].predict(h, pred, true);
      this.storeModel(s, pred);
      this.naiveLast[s].predict(h, pred, true);
      this.storeIssued(s, TRACK_NAIVE_LAST, pred, 0.05, 0.25);
      this.movingAverage[s].predict(h, pred, true);
      this.storeIssued(s, TRACK_MOVING_AVERAGE, pred, 0.05, 0.25);
    }
    this.cacheClosed = r.closed;
    blendedSeverityMix(this.severityShort, this.severityLong, this.options.severityPriorLines, this.issuedMix);
    this.issuedAtMs = origin;
    if (this.record) this.issuedModel = this.modelName();
  }

  private scoreWindow(endMs: number): void {
    const r = this.ring;
    const is = this.issued;
    const rec = this.record;
    for (let s = 0; s < SERIES_COUNT; s++) {
      const actual = r.window(s, 0);
      this.models[s].observe(actual);
      this.naiveLast[s].observe(actual);
      this.movingAverage[s].observe(actual);
      const m = (s * TRACK_COUNT + TRACK_MODEL) * I_FIELDS;
      if (!this.models[s].selfCalibrating) {
        calibrateLevels(this.levels, s * 4, this.calibrationStep, actual, is[m + I_Q05], is[m + I_Q25], is[m + I_Q75],
          is[m + I_Q95]);
      }
      if (s < SCORED_SERIES) {
        for (let t = 0; t < TRACK_COUNT; t++) {
          const b = (s * TRACK_COUNT + t) * I_FIELDS;
          this.scorer.record(s, t, actual, is[b + I_POINT], is[b + I_Q05], is[b + I_Q25], is[b + I_Q75], is[b + I_Q95]);
        }
      }
      if (rec) rec.actual[s] = actual;
    }
    this.scorer.recordDivergence(jensenShannon(this.issuedMix, this.windowLevels));
    if (rec && this.options.onWindow) {
      rec.startMs = endMs - this.options.windowMs;
      rec.endMs = endMs;
      rec.issued.set(is);
      rec.actualLevels.set(this.windowLevels);
      rec.predictedMix.set(this.issuedMix);
      rec.model = this.issuedModel;
      this.options.onWindow(rec);
    }
  }

  private prepareHistory(series: number): RingHistory {
    const h = this.histories[series];
    h.unit = this.unitFor(series);
    h.periodSlots = this.periodSlots;
    return h;
  }

  /** Stores the model's issued forecast with calibrated intervals, and caches it for the shadow. */
  private storeModel(series: number, p: Predictive): void {
    const b = (series * TRACK_COUNT + TRACK_MODEL) * I_FIELDS;
    const c = series * C_FIELDS;
    this.fillCache(series, p);
    for (let k = 0; k < I_FIELDS; k++) this.issued[b + k] = this.cache[c + k];
  }

  private fillCache(series: number, p: Predictive): void {
    const c = series * C_FIELDS;
    const cache = this.cache;
    if (!this.models[series].selfCalibrating) for (let k = 0; k < 4; k++) p.levels[k] = this.levels[series * 4 + k];
    const median = p.quantile(0.5);
    let q05 = p.bound(0);
    let q25 = p.bound(1);
    let q75 = p.bound(2);
    let q95 = p.bound(3);
    // keep the quantiles ordered whatever the calibration did
    if (q05 > median) q05 = median;
    if (q95 < median) q95 = median;
    q25 = Math.min(Math.max(q25, q05), median);
    q75 = Math.max(Math.min(q75, q95), median);
    cache[c + I_POINT] = p.point;
    cache[c + I_Q05] = q05;
    cache[c + I_Q25] = q25;
    cache[c + I_Q50] = median;
    cache[c + I_Q75] = q75;
    cache[c + I_Q95] = q95;
    cache[c + C_MEAN] = p.mean;
    cache[c + C_VAR] = p.variance();
  }

  private storeIssued(series: number, track: number, p: Predictive, lo90: number, lo50: number): void {
    const b = (series * TRACK_COUNT + track) * I_FIELDS;
    this.issued[b + I_POINT] = p.point;
    this.issued[b + I_Q05] = p.quantile(lo90);
    this.issued[b + I_Q25] = p.quantile(lo50);
    this.issued[b + I_Q50] = p.quantile(0.5);
    this.issued[b + I_Q75] = p.quantile(1 - lo50);
    this.issued[b + I_Q95] = p.quantile(1 - lo90);
  }

  private refreshCache(): void {
    if (this.cacheClosed === this.ring.closed) return;
    for (let s = 0; s < SERIES_COUNT; s++) {
      this.models[s].predict(this.prepareHistory(s), pred, false);
      this.fillCache(s, pred);
    }
    this.cacheClosed = this.ring.closed;
  }

  /**
   * The forecast for [origin, origin + horizonMs) where origin is the last slot boundary at or
   * before `nowMs`. Native horizon: windowMs; other horizons scale the window forecast linearly
   * (a rough rule: exact for the mean, conservative for the spread of longer horizons).
   * Allocation-free; `out` from createForecast().
   */
  forecastInto(out: Forecast, nowMs: number, horizonMs = this.options.windowMs): Forecast {
    this.advanceTo(nowMs);
    const r = this.ring;
    out.originMs = r.openStartMs;
    out.horizonMs = horizonMs;
    if (r.closed === 0) {
      zeroQuantiles(out.bytes);
      zeroQuantiles(out.lines);
      zeroQuantiles(out.entries);
      zeroQuantiles(out.writes);
      for (const q of out.levels) zeroQuantiles(q);
      out.levelMix.fill(0);
      out.levelMix[SEV_UNKNOWN] = 1;
      out.entryLevelMix.set(out.levelMix);
      out.confidence = 0;
      out.model = this.modelName();
      out.burst = false;
      out.periodMs = 0;
      return out;
    }
    this.refreshCache();
    const f = horizonMs / this.options.windowMs;
    this.copyQuantiles(SERIES_BYTES, f, out.bytes);
    this.copyQuantiles(SERIES_LINES, f, out.lines);
    this.copyQuantiles(SERIES_LINES, f * this.entryShare, out.entries);
    this.copyQuantiles(SERIES_WRITES, f, out.writes);
    blendedSeverityMix(this.severityShort, this.severityLong, this.options.severityPriorLines, out.levelMix);
    if (this.entrySeverity.total() > 0) this.entrySeverity.distribution(out.entryLevelMix);
    else out.entryLevelMix.set(out.levelMix);
    const c = SERIES_LINES * C_FIELDS;
    const meanLines = this.cache[c + C_MEAN];
    const varLines = this.cache[c + C_VAR];
    for (let l = 0; l < SEVERITY_COUNT; l++) {
      // thinning the line count by the level's share: mean p m, variance p^2 v + p (1 - p) m
      const p = out.levelMix[l];
      const q = out.levels[l];
      const m = p * meanLines;
      fillCountDistribution(levelPred, m, p * p * varLines + p * (1 - p) * meanLines, 32);
      q.mean = m * f;
      q.point = levelPred.point * f;
      q.median = levelPred.quantile(0.5) * f;
      q.q05 = levelPred.quantile(0.05) * f;
      q.q25 = levelPred.quantile(0.25) * f;
      q.q75 = levelPred.quantile(0.75) * f;
      q.q95 = levelPred.quantile(0.95) * f;
    }
    out.confidence = this.confidence(nowMs);
    out.model = this.modelName();
    out.burst = this.burst.inBurst;
    out.periodMs = this.periodSlots * r.slotMs;
    return out;
  }

  /** Convenience: a new Forecast object (allocates; the shadow log should reuse one via forecastInto). */
  forecast(nowMs: number, horizonMs = this.options.windowMs): Forecast {
    return this.forecastInto(createForecast(), nowMs, horizonMs);
  }

  private copyQuantiles(series: number, f: number, q: Quantiles): void {
    const c = series * C_FIELDS;
    const cache = this.cache;
    q.point = cache[c + I_POINT] * f;
    q.q05 = cache[c + I_Q05] * f;
    q.q25 = cache[c + I_Q25] * f;
    q.median = cache[c + I_Q50] * f;
    q.q75 = cache[c + I_Q75] * f;
    q.q95 = cache[c + I_Q95] * f;
    q.mean = cache[c + C_MEAN] * f;
  }

  /**
   * Up to `out.timeMs.length` predicted entries for [origin, origin + horizon), deterministic (no
   * random draw, so the shadow log is stable between refreshes): the expected number of entries
   * (the forecast mean, rounded; writes when no lines are parsed) spread evenly over the horizon;
   * levels apportioned to the expected entry mix by largest remainder, interleaved; sizes read
   * from the line-length sketch at stratified quantile levels in golden-ratio order (so the sizes
   * follow the fitted distribution, not copies of past lines), times the lines an entry stands
   * for (`linesPerEntry`: the stream's lines per entry, and more when more entries are expected
   * than the buffer holds).
   */
  predictEntries(out: PredictedEntries, nowMs: number, horizonMs = this.options.windowMs): number {
    const f = this.forecastInto(scratchForecast, nowMs, horizonMs);
    const useLines = this.linesSeen > 0;
    const expected = Math.round(useLines ? f.entries.mean : f.writes.mean);
    const cap = out.timeMs.length;
    const n = Math.min(cap, expected);
    out.count = n;
    out.linesPerEntry = n > 0 ? (useLines ? f.lines.mean : expected) / n : 1;
    if (n === 0) return 0;
    const sizes = useLines ? this.lineLengths : this.writeSizes;
    const mix = f.entryLevelMix;
    const assigned = mixScratch;
    assigned.fill(0);
    const step = horizonMs / n;
    for (let i = 0; i < n; i++) {
      out.timeMs[i] = f.originMs + (i + 0.5) * step;
      // the level furthest behind its quota so far
      let best = SEV_UNKNOWN;
      let bestLag = Number.NEGATIVE_INFINITY;
      for (let l = 0; l < SEVERITY_COUNT; l++) {
        if (mix[l] <= 0) continue;
        const lag = mix[l] * (i + 1) - assigned[l];
        if (lag > bestLag) {
          bestLag = lag;
          best = l;
        }
      }
      assigned[best]++;
      out.level[i] = useLines ? best : SEV_UNKNOWN;
      const level = (((i + 1) * 0.6180339887498949) % 1 + 0.5 / n) % 1;
      out.bytes[i] = sizes.quantile(level) * out.linesPerEntry;
    }
    return n;
  }

  private modelName(): string {
    const m = this.models[SERIES_BYTES];
    return m.name === 'ensemble' ? (m as Ensemble).selectedName : m.name;
  }

  /** Confidence in [0, 1] at `nowMs` (see confidence.ts). */
  confidence(nowMs: number): number {
    const longest = this.writeRates.size - 1;
    const tau = this.writeRates.tausMs[Math.min(2, longest)];
    const evidence = (this.writeRates.rate(Math.min(2, longest), nowMs) * tau) / 1000;
    const h = this.histories[SERIES_BYTES];
    const n = h.length;
    let cv2 = 0;
    if (n >= 2) {
      let s = 0;
      for (let i = 0; i < n; i++) s += h.at(i);
      const mean = s / n;
      let ss = 0;
      for (let i = 0; i < n; i++) ss += (h.at(i) - mean) * (h.at(i) - mean);
      cv2 = mean > 0 ? ss / (n - 1) / (mean * mean) : 0;
    }
    const scored = this.scorer.windows(SERIES_BYTES, TRACK_MODEL);
    const skill = scored > 0 ? this.scorer.stats(SERIES_BYTES, TRACK_MODEL, statsScratch).skill : 1;
    return confidence(evidence, cv2, skill, scored);
  }

  /**
   * True once the stream has been silent for its whole history and a window more: its forecast
   * is zero, and the stream table may drop it from the set it refreshes. Cheap (no catch-up).
   */
  isDormant(nowMs: number): boolean {
    const span = (this.ring.capacity + this.ring.slotsPerWindow) * this.ring.slotMs;
    return Number.isNaN(this.lastWriteMs) || nowMs - this.lastWriteMs >= span;
  }

  /** A snapshot of the statistics (allocates; for the CLI and the control socket, not per tick). */
  stats(nowMs: number): StreamStats {
    this.advanceTo(nowMs);
    const rates = (m: MultiEwmaRate): number[] => Array.from(m.tausMs, (_, i) => m.rate(i, nowMs));
    const sizes = (h: LogHistogram, w: Welford) => ({
      mean: w.mean, variance: w.variance(), p50: h.quantile(0.5), p90: h.quantile(0.9), p99: h.quantile(0.99),
    });
    const mix = this.severityLong.distribution(new Float64Array(SEVERITY_COUNT));
    const lines = this.histories[SERIES_LINES];
    return {
      writesPerSec: rates(this.writeRates),
      linesPerSec: rates(this.lineRates),
      bytesPerSec: rates(this.byteRates),
      holtBytesPerSec: { level: this.holt.level, trend: this.holt.trend / (this.ring.slotMs / 1000) },
      writeSize: sizes(this.writeSizes, this.writeSizeMoments),
      lineLength: sizes(this.lineLengths, this.lineLengthMoments),
      levelMix: Array.from(mix),
      interArrival: { meanMs: this.interArrival.meanMs(), cv: this.interArrival.cv() },
      fano: fanoFactor((lag) => lines.at(lag), lines.length),
      burst: this.burst.inBurst,
      periodMs: this.periodSlots * this.ring.slotMs,
      confidence: this.confidence(nowMs),
      model: this.modelName(),
    };
  }
}

const statsScratch = { windows: 0, mae: 0, mape: 0, mase: 0, skill: 0, coverage50: 0, coverage90: 0, pinball05: 0,
  pinball50: 0, pinball95: 0, bias: 0 };
const scratchForecast = createForecast();

function zeroQuantiles(q: Quantiles): void {
  q.mean = 0;
  q.point = 0;
  q.median = 0;
  q.q05 = 0;
  q.q25 = 0;
  q.q75 = 0;
  q.q95 = 0;
}
