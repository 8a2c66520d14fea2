import { region32, region64, regionU32 } from './typed-arena';
/**
 * Scores for window forecasts: small pure functions, and a rolling per-stream scorer with bounded
 * memory. Conventions: `actual` and forecasts are window totals (bytes, lines...); intervals are
 * closed ([lo, hi] covers y when lo <= y <= hi, so an interval [0, 0] covers an empty window);
 * undefined scores (MAPE with no non-empty window, MASE with a zero scale, JS divergence of an
 * empty mix) are NaN rather than 0, so that they are not mistaken for perfect.
 */

export function absoluteError(actual: number, forecast: number): number {
  return Math.abs(actual - forecast);
}

export function mae(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  const n = Math.min(actual.length, forecast.length);
  if (n === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(actual[i] - forecast[i]);
  return s / n;
}

/** Mean absolute percentage error (in %), over the windows whose actual is non-zero only. */
export function mape(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  const n = Math.min(actual.length, forecast.length);
  let s = 0;
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (actual[i] !== 0) {
      s += Math.abs((actual[i] - forecast[i]) / actual[i]);
      m++;
    }
  }
  return m > 0 ? (100 * s) / m : Number.NaN;
}

/**
 * Mean absolute scaled error (Hyndman & Koehler 2006): MAE divided by the MAE of the naive
 * forecast "same as `period` windows before" over the same actuals. Defined when windows can be
 * empty (unlike MAPE); < 1 beats that naive forecast. NaN when the scale is 0 (a constant series).
 */
export function mase(actual: ArrayLike<number>, forecast: ArrayLike<number>, period = 1): number {
  const n = Math.min(actual.length, forecast.length);
  if (n <= period) return Number.NaN;
  let scale = 0;
  for (let i = period; i < n; i++) scale += Math.abs(actual[i] - actual[i - period]);
  scale /= n - period;
  return scale > 0 ? mae(actual, forecast) / scale : Number.NaN;
}

/**
 * Sum |y - f| / sum (|y| + |f|), in [0, 1]: 0 perfect, 1 when every forecast missed completely
 * (predicted data when none came, or none when some came). 0 when everything was 0 and predicted
 * 0, which is a correct forecast.
 */
export function symmetricRelativeError(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  const n = Math.min(actual.length, forecast.length);
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += Math.abs(actual[i] - forecast[i]);
    den += Math.abs(actual[i]) + Math.abs(forecast[i]);
  }
  return den > 0 ? num / den : 0;
}

export function covered(actual: number, lo: number, hi: number): boolean {
  return actual >= lo && actual <= hi;
}

/** Fraction of windows whose actual lies in [lo, hi]. */
export function coverage(actual: ArrayLike<number>, lo: ArrayLike<number>, hi: ArrayLike<number>): number {
  const n = Math.min(actual.length, lo.length, hi.length);
  if (n === 0) return Number.NaN;
  let c = 0;
  for (let i = 0; i < n; i++) if (covered(actual[i], lo[i], hi[i])) c++;
  return c / n;
}

/**
 * Pinball (quantile) loss of the tau-quantile forecast q: tau (y - q) when y >= q, else
 * (1 - tau)(q - y). Minimised in expectation by the true tau-quantile, so it scores an upper
 * quantile (what a pre-allocator reserves) honestly; at tau = 0.5 it is half the absolute error.
 */
export function pinballLoss(actual: number, quantile: number, tau: number): number {
  const d = actual - quantile;
  return d >= 0 ? tau * d : (tau - 1) * d;
}

export function meanPinball(actual: ArrayLike<number>, quantile: ArrayLike<number>, tau: number): number {
  const n = Math.min(actual.length, quantile.length);
  if (n === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < n; i++) s += pinballLoss(actual[i], quantile[i], tau);
  return s / n;
}

/** Quantile levels and weights of the five-quantile score (an approximation of the CRPS). */
export const SCORE_LEVELS = [0.05, 0.25, 0.5, 0.75, 0.95] as const;

/**
 * Average pinball loss over the five levels 5/25/50/75/95%, times 2 so that a point forecast
 * (all quantiles equal) scores its absolute error: a proper score of the whole predictive
 * distribution, comparable with MAE.
 */
export function quantileScore(actual: number, q05: number, q25: number, q50: number, q75: number, q95: number): number {
  return (
    (2 / 5) *
    (pinballLoss(actual, q05, 0.05) + pinballLoss(actual, q25, 0.25) + pinballLoss(actual, q50, 0.5) +
      pinballLoss(actual, q75, 0.75) + pinballLoss(actual, q95, 0.95))
  );
}

/**
 * Jensen-Shannon divergence between two discrete distributions, in bits (so in [0, 1]): 0 when
 * equal, 1 when disjoint. Inputs need not be normalised (counts are fine); NaN when either sums
 * to 0.
 */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const n = Math.min(p.length, q.length);
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    sp += p[i];
    sq += q[i];
  }
  if (!(sp > 0) || !(sq > 0)) return Number.NaN;
  let js = 0;
  for (let i = 0; i < n; i++) {
    const a = p[i] / sp;
    const b = q[i] / sq;
    const m = (a + b) / 2;
    if (a > 0) js += 0.5 * a * Math.log2(a / m);
    if (b > 0) js += 0.5 * b * Math.log2(b / m);
  }
  return Math.max(0, Math.min(1, js));
}

/** Rolling statistics of one (series, forecaster) track over its recent windows. */
export interface TrackStats {
  windows: number;
  mae: number;
  /** % over non-empty windows; NaN when none. */
  mape: number;
  /** MAE over the MAE of "same as the previous window" on the same actuals; NaN when that is 0. */
  mase: number;
  /** 1 - symmetric relative error, in [0, 1]. */
  skill: number;
  coverage50: number;
  coverage90: number;
  pinball05: number;
  pinball50: number;
  pinball95: number;
  /** Mean of forecast - actual (positive: over-forecasting). */
  bias: number;
}

export function emptyTrackStats(): TrackStats {
  return {
    windows: 0, mae: Number.NaN, mape: Number.NaN, mase: Number.NaN, skill: Number.NaN, coverage50: Number.NaN,
    coverage90: Number.NaN, pinball05: Number.NaN, pinball50: Number.NaN, pinball95: Number.NaN, bias: Number.NaN,
  };
}

// per-window record layout in a track's ring
const F_ACTUAL = 0;
const F_POINT = 1;
const F_PIN05 = 2;
const F_PIN95 = 3;
const F_FLAGS = 4; // bit 0: 50% interval covered, bit 1: 90% covered
const FIELDS = 5;
// the divergence ring's fields in the 64-bit region
const D_COUNT = 0;
const D_HEAD = 1;
const D_SUM = 2;
const D_TOTAL = 3;
const D_FIELDS = 4;

/**
 * Rolling scores of one stream: for each series (e.g. bytes, lines) and each forecaster (e.g. the
 * model and the two naive ones), the last `capacity` scored windows, plus the severity-mix
 * divergence per window. Memory is fixed at construction (float32 rings) and `record` allocates
 * nothing; statistics are computed on demand in O(capacity).
 */
export class ForecastScorer {
  readonly capacity: number;
  private readonly tracks: number;
  /** From ro: each track's ring of windows (FIELDS each), then the divergence ring (at dvo). */
  private readonly r: Float32Array;
  private readonly ro: number;
  private readonly dvo: number;
  /** From no: windows held per track, then each track's ring head. */
  private readonly n: Uint32Array;
  private readonly no: number;
  /**
   * From so: windows recorded per track since the start (a counter, not bounded), the since-start
   * sums per track (|error|, pinball at 0.95, 50% and 90% hits), then the divergence ring's count
   * and head, and its since-start sum and count (at dso).
   */
  private readonly s: Float64Array;
  private readonly so: number;
  private readonly dso: number;

  constructor(
    readonly seriesNames: readonly string[],
    readonly forecasterNames: readonly string[],
    capacity = 32,
  ) {
    if (!(capacity >= 2)) throw new RangeError('capacity must be >= 2');
    this.capacity = Math.floor(capacity);
    const tracks = seriesNames.length * forecasterNames.length;
    this.tracks = tracks;
    [this.r, this.ro] = region32(tracks * this.capacity * FIELDS + this.capacity);
    this.dvo = this.ro + tracks * this.capacity * FIELDS;
    [this.n, this.no] = regionU32(2 * tracks);
    [this.s, this.so] = region64(5 * tracks + D_FIELDS);
    this.dso = this.so + 5 * tracks;
  }

  get stateBytes(): number {
    return (this.tracks * this.capacity * FIELDS + this.capacity) * 4 + 2 * this.tracks * 4 + (5 * this.tracks + D_FIELDS) * 8;
  }

  track(series: number, forecaster: number): number {
    return series * this.forecasterNames.length + forecaster;
  }

  seriesIndex(name: string): number {
    return this.seriesNames.indexOf(name);
  }

  forecasterIndex(name: string): number {
    return this.forecasterNames.indexOf(name);
  }

  record(series: number, forecaster: number, actual: number, point: number, q05: number, q25: number, q75: number,
    q95: number): void {
    const t = this.track(series, forecaster);
    const n = this.n;
    const head = this.no + this.tracks + t;
    const base = this.ro + (t * this.capacity + n[head]) * FIELDS;
    const r = this.r;
    r[base + F_ACTUAL] = actual;
    r[base + F_POINT] = point;
    r[base + F_PIN05] = pinballLoss(actual, q05, 0.05);
    r[base + F_PIN95] = pinballLoss(actual, q95, 0.95);
    r[base + F_FLAGS] = (covered(actual, q25, q75) ? 1 : 0) | (covered(actual, q05, q95) ? 2 : 0);
    n[head] = (n[head] + 1) % this.capacity;
    if (n[this.no + t] < this.capacity) n[this.no + t]++;
    const s = this.s;
    s[this.so + t]++;
    const sum = this.so + this.tracks + t * 4;
    s[sum] += Math.abs(actual - point);
    s[sum + 1] += r[base + F_PIN95];
    s[sum + 2] += r[base + F_FLAGS] & 1;
    s[sum + 3] += (r[base + F_FLAGS] & 2) >> 1;
  }

  /** Scores over every window since the start (the rolling `stats` see only the recent ones). */
  sinceStart(series: number, forecaster: number): { windows: number; mae: number; pinball95: number; coverage50: number; coverage90: number } {
    const t = this.track(series, forecaster);
    const s = this.s;
    const n = s[this.so + t];
    const sum = this.so + this.tracks + t * 4;
    const per = (x: number) => (n > 0 ? x / n : Number.NaN);
    return { windows: n, mae: per(s[sum]), pinball95: per(s[sum + 1]), coverage50: per(s[sum + 2]), coverage90: per(s[sum + 3]) };
  }

  /** Mean severity-mix divergence over every window since the start. */
  divergenceSinceStart(): number {
    const d = this.dso;
    return this.s[d + D_TOTAL] > 0 ? this.s[d + D_SUM] / this.s[d + D_TOTAL] : Number.NaN;
  }

  /** Severity-mix Jensen-Shannon divergence of one window (NaN, for an empty window, is skipped). */
  recordDivergence(js: number): void {
    if (Number.isNaN(js)) return;
    const s = this.s;
    const d = this.dso;
    s[d + D_SUM] += js;
    s[d + D_TOTAL]++;
    this.r[this.dvo + s[d + D_HEAD]] = js;
    s[d + D_HEAD] = (s[d + D_HEAD] + 1) % this.capacity;
    if (s[d + D_COUNT] < this.capacity) s[d + D_COUNT]++;
  }

  meanDivergence(): number {
    const count = this.s[this.dso + D_COUNT];
    if (count === 0) return Number.NaN;
    let s = 0;
    for (let i = 0; i < count; i++) s += this.r[this.dvo + i];
    return s / count;
  }

  windows(series: number, forecaster: number): number {
    return this.n[this.no + this.track(series, forecaster)];
  }

  stats(series: number, forecaster: number, out: TrackStats = emptyTrackStats()): TrackStats {
    const t = this.track(series, forecaster);
    const n = this.n[this.no + t];
    out.windows = n;
    if (n === 0) {
      Object.assign(out, emptyTrackStats());
      return out;
    }
    const r = this.r;
    const cap = this.capacity;
    // oldest first, for the scale of MASE
    const start = (this.n[this.no + this.tracks + t] + cap - n) % cap;
    let ae = 0, ape = 0, nz = 0, den = 0, pin05 = 0, pin95 = 0, c50 = 0, c90 = 0, bias = 0, scale = 0;
    let prev = Number.NaN;
    for (let k = 0; k < n; k++) {
      const base = this.ro + (t * cap + ((start + k) % cap)) * FIELDS;
      const y = r[base + F_ACTUAL];
      const f = r[base + F_POINT];
      const e = Math.abs(y - f);
      ae += e;
      den += Math.abs(y) + Math.abs(f);
      bias += f - y;
      if (y !== 0) {
        ape += e / Math.abs(y);
        nz++;
      }
      pin05 += r[base + F_PIN05];
      pin95 += r[base + F_PIN95];
      const flags = r[base + F_FLAGS];
      if (flags === 1 || flags === 3) c50++;
      if (flags >= 2) c90++;
      if (!Number.isNaN(prev)) scale += Math.abs(y - prev);
      prev = y;
    }
    out.mae = ae / n;
    out.mape = nz > 0 ? (100 * ape) / nz : Number.NaN;
    out.mase = n > 1 && scale > 0 ? out.mae / (scale / (n - 1)) : Number.NaN;
    out.skill = den > 0 ? 1 - ae / den : 1;
    out.coverage50 = c50 / n;
    out.coverage90 = c90 / n;
    out.pinball05 = pin05 / n;
    out.pinball50 = ae / n / 2;
    out.pinball95 = pin95 / n;
    out.bias = bias / n;
    return out;
  }

  reset(): void {
    this.r.fill(0, this.ro, this.dvo + this.capacity);
    this.n.fill(0, this.no, this.no + 2 * this.tracks);
    this.s.fill(0, this.so, this.dso + D_FIELDS);
  }
}
