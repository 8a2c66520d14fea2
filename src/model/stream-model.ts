import type { ForecastScorer } from './scoring';
import { BurstDetector } from './burst';
import { resetLevels } from './calibration';
import { confidence } from './confidence';
import { MultiEwmaRate } from './ewma';
import {
  createForecast, SERIES_BYTES, SERIES_COUNT, SERIES_LINES, SERIES_WRITES, zeroQuantiles, type Forecast, type Quantiles,
} from './forecast';
import type { Forecaster, ForecasterOptions, StateBlock } from './forecaster';
import { createResolved, resolveForecasterOptions } from './forecasters';
import { Ensemble } from './forecasters/ensemble';
import { RingHistory } from './history';
import { Holt } from './holt';
import { fanoFactor, InterArrivalStats } from './interarrival';
import { LogHistogram } from './log-histogram';
import { detectPeriod, type PeriodOptions } from './periodicity';
import {
  ISSUED_FIELDS, ISSUED_POINT, ISSUED_Q05, ISSUED_Q25, ISSUED_Q50, ISSUED_Q75, ISSUED_Q95, IssuedForecasts,
  TRACK_MODEL, TRACK_MOVING_AVERAGE, TRACK_NAIVE_LAST, type WindowRecord,
} from './issued-forecasts';
import { fillEntries, type PredictedEntries } from './predicted-entries';
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
import { region64, stateRegion } from './typed-arena';

export interface StreamModelOptions {
  /** The horizon and scoring window, ms. */
  windowMs: number;
  /** Slots per window: the resolution at which a forecast origin can move (default 10: 1 s). */
  slotsPerWindow: number;
  /**
   * Shift of this stream's slots and windows from multiples of their length, ms, in [0, windowMs).
   * The profiler gives each stream its own (see phaseFor): with one shared clock, every stream
   * closed its slot in the same tick, and every tenth second they all scored and forecast at once.
   */
  phaseMs: number;
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
  phaseMs: 0,
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

/** What differs between the models of one pool: see StreamModelOptions for each. */
export interface OwnOptions {
  phaseMs?: number;
  onWindow?: (record: WindowRecord) => void;
}

/** A reference track's forecaster, read at `at` in a series' block (see referenceFor). */
interface Reference {
  f: Forecaster;
  at: number;
  /** Its own instance (issued and observed) rather than the model's member (read only). */
  own: boolean;
}

/** The strategies of a model's forecasters and where each series keeps their state. */
interface ModelForecasters {
  model: Forecaster;
  naiveLast: Reference;
  movingAverage: Reference;
  /** 64-bit slots of state per series. */
  perSeries: number;
}

interface ResolvedOptions {
  o: StreamModelOptions;
  fo: ForecasterOptions;
  period: PeriodOptions;
  forecasters: ModelForecasters;
}

// The last options object resolved: a pool makes every model from one, and a resolved copy per
// model (with its forecasters' copies) was about 1 KiB of each model's heap.
let lastGiven: Partial<StreamModelOptions> | null = null;
let lastResolved: ResolvedOptions | null = null;

function resolveOptions(options: Partial<StreamModelOptions>): ResolvedOptions {
  if (options === lastGiven && lastResolved) return lastResolved;
  const o = { ...DEFAULT_STREAM_MODEL_OPTIONS, ...options };
  if (!(o.windowMs > 0) || !Number.isInteger(o.slotsPerWindow) || o.slotsPerWindow < 1 || !(o.phaseMs >= 0 && o.phaseMs < o.windowMs)) {
    throw new RangeError('windowMs must be > 0, slotsPerWindow a positive integer and phaseMs in [0, windowMs)');
  }
  if (!(o.historyWindows >= 2)) throw new RangeError('historyWindows must be >= 2');
  const slotMs = o.windowMs / o.slotsPerWindow;
  const period = { minLag: o.slotsPerWindow, maxLag: Math.floor(o.maxPeriodMs / slotMs), minRecurrence: 0.6, minActive: 4 };
  const fo = resolveForecasterOptions(o.forecasterOptions);
  const model = createResolved(o.forecaster, fo);
  let perSeries = model.stateSize;
  const reference = (name: string): Reference => {
    const r = referenceFor(model, name, fo, perSeries);
    if (r.own) perSeries += r.f.stateSize;
    return r;
  };
  const naiveLast = reference('naive-last');
  const movingAverage = reference('moving-average');
  lastGiven = options;
  lastResolved = { o, fo, period, forecasters: { model, naiveLast, movingAverage, perSeries } };
  return lastResolved;
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

// Cached model forecast layout per series: the issued fields (so the model issues straight from
// the cache), then mean and variance.
const C_MEAN = ISSUED_FIELDS;
const C_VAR = ISSUED_FIELDS + 1;
const C_FIELDS = ISSUED_FIELDS + 2;

/** Lines over which the share of lines starting an entry is averaged. */
const ENTRY_SHARE_LINES = 1000;

// Scratch shared by every stream (the model runs on one thread).
const pred = new Predictive(64);
const levelPred = new Predictive(32);

/**
 * Everything logshadow models about one stream (one file, or one writing application), fed with
 * plain numbers by the profiler and asked for forecasts by the shadow log. Memory is fixed at
 * construction (`stateBytes`); per-event updates allocate nothing.
 *
 * Time and windows. Times are ms on one monotonic clock. History is kept in slots of
 * windowMs / slotsPerWindow (1 s by default), aligned to multiples of the slot length; scoring
 * windows are aligned to multiples of windowMs (both shifted by the stream's phaseMs). A
 * forecast is always made at the end of the last closed slot (its origin) for [origin, origin +
 * windowMs): the shadow log can ask at any tick and gets a forecast at most one slot old. At
 * every window start (a scoring boundary) the forecasts of the model and of the two naive
 * references are issued and kept; when that window closes they are scored against what arrived,
 * so a scored forecast never saw any of its window.
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
  private readonly history: RingHistory;
  private readonly forecasters: ModelForecasters;
  /** The forecasters' state: series s's block at sto + s * perSeries (the model's, then own references'). */
  private readonly st: StateBlock;
  private readonly sto: number;
  /** From lo: per series, four levels (for a model that does not calibrate its own intervals); then from co, the cache. */
  private readonly v: Float64Array;
  private readonly lo: number;
  private readonly calibrationStep: number;
  private readonly issued: IssuedForecasts;
  /** The model's forecast per series at the last origin (C_FIELDS each), in v. */
  private readonly co: number;
  private cacheClosed = -1;
  private lastWriteMs = Number.NaN;
  private emptySlots = 0;
  private windowsClosed = 0;
  private periodSlots = 0;
  private linesSeen = 0;
  /** Share of lines that start an entry, averaged over the last ~ENTRY_SHARE_LINES lines. */
  private entryShare = 1;
  /** Onsets (an active slot after a silent one), so that a burst counts once, like a beat. */
  private readonly onsetAt = (lag: number): boolean =>
    this.ring.slot(SERIES_WRITES, lag) > 0 && this.ring.slot(SERIES_WRITES, lag + 1) === 0;
  private readonly periodOptions: PeriodOptions;

  /**
   * `options` are shared by every model made from the same object (ModelPool's): taken as
   * immutable, resolved once. `own` is what differs per stream.
   */
  constructor(options: Partial<StreamModelOptions> = {}, own: OwnOptions = {}) {
    const { o, fo, period, forecasters } = resolveOptions(options);
    const phaseMs = own.phaseMs ?? o.phaseMs;
    if (!(phaseMs >= 0 && phaseMs < o.windowMs)) throw new RangeError('phaseMs must be in [0, windowMs)');
    this.options = o;
    this.ring = new SlotRing(SERIES_COUNT, o.historyWindows * o.slotsPerWindow, o.windowMs / o.slotsPerWindow,
      o.slotsPerWindow, phaseMs);
    this.history = new RingHistory(this.ring);
    this.forecasters = forecasters;
    const { model, naiveLast, movingAverage, perSeries } = forecasters;
    [this.st, this.sto] = stateRegion(perSeries * SERIES_COUNT);
    [this.v, this.lo] = region64(SERIES_COUNT * (4 + C_FIELDS));
    this.co = this.lo + SERIES_COUNT * 4;
    for (let s = 0; s < SERIES_COUNT; s++) {
      const at = this.sto + s * perSeries;
      model.init(this.st, at);
      for (const r of [naiveLast, movingAverage]) if (r.own) r.f.init(this.st, at + r.at);
      resetLevels(this.v, this.lo + s * 4);
    }
    this.calibrationStep = fo.calibrationStep;
    this.periodOptions = period;
    this.issued = new IssuedForecasts(o.scorerWindows, own.onWindow ?? o.onWindow);
    this.scorer = this.issued.scorer;
    this.writeSizes = new LogHistogram({ relativeAccuracy: o.sizeAccuracy, maxValue: o.maxSize });
    this.lineLengths = new LogHistogram({ relativeAccuracy: o.sizeAccuracy, maxValue: o.maxSize });
    this.holt = new Holt(o.holtAlpha, o.holtBeta);
    this.writeRates = new MultiEwmaRate(o.rateTausMs);
    this.lineRates = new MultiEwmaRate(o.rateTausMs);
    this.byteRates = new MultiEwmaRate(o.rateTausMs);
    this.severityShort = new DecayingSeverityHistogram(o.severityShortTauMs);
    this.severityLong = new DecayingSeverityHistogram(o.severityLongTauMs);
    this.entrySeverity = new DecayingSeverityHistogram(o.severityLongTauMs);
  }

  /** Approximate memory held by this stream's model, bytes (typed arrays and forecaster state). */
  get stateBytes(): number {
    return this.ring.stateBytes + this.issued.stateBytes + (this.writeSizes.bins + this.lineLengths.bins) * 4 +
      SERIES_COUNT * (4 + C_FIELDS + this.forecasters.perSeries) * 8 + this.history.stateBytes + 1024;
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
    this.issued.countLine(level);
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
    while (timeMs >= r.openEndMs) {
      if (this.emptySlots >= r.capacity + r.slotsPerWindow && r.openValue(SERIES_WRITES) === 0) {
        // Dormant: the whole history is silent and a silent window has been scored after it, so
        // every forecaster predicts zero and scoring more empty windows would only flatter it.
        // Jump to the last scoring boundary before timeMs and issue afresh from there.
        const slots = Math.floor((r.windowStartAtOrBefore(timeMs) - r.openStartMs) / r.slotMs + 1e-9);
        if (slots > 0) {
          r.skipEmpty(slots);
          this.emptySlots += slots;
          this.issued.forget();
          this.onBoundary();
          continue;
        }
      }
      const empty = r.openValue(SERIES_WRITES) === 0;
      this.closeSlot();
      this.emptySlots = empty ? this.emptySlots + 1 : 0;
      if (r.atWindowStart) this.onBoundary();
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
    if (this.issued.issuedFor(origin - W)) this.scoreWindow(origin);
    this.issued.openWindow();

    const pe = this.options.periodEveryWindows;
    if (pe > 0 && this.windowsClosed % pe === 0) {
      this.periodSlots = detectPeriod(this.onsetAt, r.slotCount, this.periodOptions);
    }

    const { model, naiveLast, movingAverage, perSeries } = this.forecasters;
    const st = this.st;
    for (let s = 0; s < SERIES_COUNT; s++) {
      const h = this.prepareHistory(s);
      const at = this.sto + s * perSeries;
      model.predict(h, pred, true, st, at);
      this.storeModel(s, pred);
      naiveLast.f.predict(h, pred, naiveLast.own, st, at + naiveLast.at);
      this.issued.issue(s, TRACK_NAIVE_LAST, pred, 0.05, 0.25);
      movingAverage.f.predict(h, pred, movingAverage.own, st, at + movingAverage.at);
      this.issued.issue(s, TRACK_MOVING_AVERAGE, pred, 0.05, 0.25);
    }
    this.cacheClosed = r.closed;
    blendedSeverityMix(this.severityShort, this.severityLong, this.options.severityPriorLines, this.issued.mix);
    this.issued.issuedAt(origin, () => this.modelName());
  }

  private scoreWindow(endMs: number): void {
    const { model, naiveLast, movingAverage, perSeries } = this.forecasters;
    for (let s = 0; s < SERIES_COUNT; s++) {
      const actual = this.ring.window(s, 0);
      const at = this.sto + s * perSeries;
      model.observe(actual, this.st, at);
      if (naiveLast.own) naiveLast.f.observe(actual, this.st, at + naiveLast.at);
      if (movingAverage.own) movingAverage.f.observe(actual, this.st, at + movingAverage.at);
      if (!model.selfCalibrating) this.issued.calibrate(this.v, this.lo + s * 4, this.calibrationStep, s, actual);
      this.issued.score(s, actual);
    }
    this.issued.closeWindow(endMs, this.options.windowMs);
  }

  private prepareHistory(series: number): RingHistory {
    const h = this.history.select(series);
    h.unit = this.unitFor(series);
    h.periodSlots = this.periodSlots;
    return h;
  }

  /** Stores the model's issued forecast with calibrated intervals, and caches it for the shadow. */
  private storeModel(series: number, p: Predictive): void {
    this.fillCache(series, p);
    this.issued.issueModel(series, this.v, this.co + series * C_FIELDS);
  }

  private fillCache(series: number, p: Predictive): void {
    const c = this.co + series * C_FIELDS;
    const cache = this.v;
    if (!this.forecasters.model.selfCalibrating) for (let k = 0; k < 4; k++) p.levels[k] = cache[this.lo + series * 4 + k];
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
    cache[c + ISSUED_POINT] = p.point;
    cache[c + ISSUED_Q05] = q05;
    cache[c + ISSUED_Q25] = q25;
    cache[c + ISSUED_Q50] = median;
    cache[c + ISSUED_Q75] = q75;
    cache[c + ISSUED_Q95] = q95;
    cache[c + C_MEAN] = p.mean;
    cache[c + C_VAR] = p.variance();
  }

  private refreshCache(): void {
    if (this.cacheClosed === this.ring.closed) return;
    const { model, perSeries } = this.forecasters;
    for (let s = 0; s < SERIES_COUNT; s++) {
      model.predict(this.prepareHistory(s), pred, false, this.st, this.sto + s * perSeries);
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
      out.levelQuantiles = true;
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
    const c = this.co + SERIES_LINES * C_FIELDS;
    out.windowLines.mean = this.v[c + C_MEAN];
    out.windowLines.variance = this.v[c + C_VAR];
    out.windowLines.scale = f;
    for (let l = 0; l < SEVERITY_COUNT; l++) out.levels[l].mean = out.levelMix[l] * out.windowLines.mean * f;
    out.levelQuantiles = false;
    out.confidence = this.confidence(nowMs);
    out.model = this.modelName();
    out.burst = this.burst.inBurst;
    out.periodMs = this.periodSlots * r.slotMs;
    return out;
  }

  /**
   * Whether `f`, this model's last forecast, is due to be made again at `nowMs`: once a slot has
   * closed since. Its quantities change only then; its confidence and severity mix move with
   * time and lines, and are refreshed with them, at most a slot (1 s) late. A refresh costs
   * nothing for the streams whose slot is still open.
   */
  forecastStale(f: Forecast, nowMs: number): boolean {
    const r = this.ring;
    return !r.started || nowMs >= r.openEndMs || f.originMs !== r.openStartMs;
  }

  /** Convenience: a new Forecast object, levels whole (allocates; the shadow log reuses one via forecastInto). */
  forecast(nowMs: number, horizonMs = this.options.windowMs): Forecast {
    return fillLevelQuantiles(this.forecastInto(createForecast(), nowMs, horizonMs));
  }

  private copyQuantiles(series: number, f: number, q: Quantiles): void {
    const c = this.co + series * C_FIELDS;
    const cache = this.v;
    q.point = cache[c + ISSUED_POINT] * f;
    q.q05 = cache[c + ISSUED_Q05] * f;
    q.q25 = cache[c + ISSUED_Q25] * f;
    q.median = cache[c + ISSUED_Q50] * f;
    q.q75 = cache[c + ISSUED_Q75] * f;
    q.q95 = cache[c + ISSUED_Q95] * f;
    q.mean = cache[c + C_MEAN] * f;
  }

  /** Up to `out.timeMs.length` predicted entries for [origin, origin + horizon): see fillEntries. */
  predictEntries(out: PredictedEntries, nowMs: number, horizonMs = this.options.windowMs): number {
    const f = this.forecastInto(scratchForecast, nowMs, horizonMs);
    const useLines = this.linesSeen > 0;
    return fillEntries(out, f, useLines ? this.lineLengths : this.writeSizes, useLines, horizonMs);
  }

  private modelName(): string {
    const { model, perSeries } = this.forecasters;
    return model.answering(this.st, this.sto + SERIES_BYTES * perSeries);
  }

  /** Confidence in [0, 1] at `nowMs` (see confidence.ts). */
  confidence(nowMs: number): number {
    const longest = this.writeRates.size - 1;
    const tau = this.writeRates.tausMs[Math.min(2, longest)];
    const evidence = (this.writeRates.rate(Math.min(2, longest), nowMs) * tau) / 1000;
    const h = this.history.select(SERIES_BYTES);
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
    const lines = this.history.select(SERIES_LINES);
    const fano = fanoFactor((lag) => lines.at(lag), lines.length);
    return {
      writesPerSec: rates(this.writeRates),
      linesPerSec: rates(this.lineRates),
      bytesPerSec: rates(this.byteRates),
      holtBytesPerSec: { level: this.holt.level, trend: this.holt.trend / (this.ring.slotMs / 1000) },
      writeSize: sizes(this.writeSizes, this.writeSizeMoments),
      lineLength: sizes(this.lineLengths, this.lineLengthMoments),
      levelMix: Array.from(mix),
      interArrival: { meanMs: this.interArrival.meanMs(), cv: this.interArrival.cv() },
      fano,
      burst: this.burst.inBurst,
      periodMs: this.periodSlots * this.ring.slotMs,
      confidence: this.confidence(nowMs),
      model: this.modelName(),
    };
  }
}

/** The quantiles of each level's line count in `f` (see Forecast.levels); once per forecast. */
export function fillLevelQuantiles(f: Forecast): Forecast {
  if (f.levelQuantiles) return f;
  const scale = f.windowLines.scale;
  const meanLines = f.windowLines.mean;
  const varLines = f.windowLines.variance;
  for (let l = 0; l < SEVERITY_COUNT; l++) {
    // thinning the line count by the level's share: mean p m, variance p^2 v + p (1 - p) m
    const p = f.levelMix[l];
    const q = f.levels[l];
    fillCountDistribution(levelPred, p * meanLines, p * p * varLines + p * (1 - p) * meanLines, 32);
    q.point = levelPred.point * scale;
    q.median = levelPred.quantile(0.5) * scale;
    q.q05 = levelPred.quantile(0.05) * scale;
    q.q25 = levelPred.quantile(0.25) * scale;
    q.q75 = levelPred.quantile(0.75) * scale;
    q.q95 = levelPred.quantile(0.95) * scale;
  }
  f.levelQuantiles = true;
  return f;
}

const statsScratch = { windows: 0, mae: 0, mape: 0, mase: 0, skill: 0, coverage50: 0, coverage90: 0, pinball05: 0,
  pinball50: 0, pinball95: 0, bias: 0 };
const scratchForecast = createForecast();

/**
 * A reference track's forecaster: the model's own member of that name when the model is an
 * ensemble that has one (the default), else an instance of its own, placed at `ownAt` in the
 * series' block. The member is in the state a separate instance would be in: the ensemble issues
 * every member at each boundary, before the references are asked, and has each observe every
 * window. So the track reads it without issuing or observing a second time, and a model keeps two
 * residual rings fewer per series.
 */
function referenceFor(model: Forecaster, name: string, options: ForecasterOptions, ownAt: number): Reference {
  const i = model instanceof Ensemble ? model.members.findIndex((m) => m.name === name) : -1;
  if (i >= 0 && model instanceof Ensemble) return { f: model.members[i], at: model.memberOffset(i), own: false };
  return { f: createResolved(name, options), at: ownAt, own: true };
}
