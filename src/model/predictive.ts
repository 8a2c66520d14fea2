/**
 * A predictive distribution of one window total, as an equally weighted sorted sample of at most
 * `capacity` values: empirical forecasters put observed windows in it, parametric ones their
 * quantiles at stratified levels (i + 0.5) / n. One representation lets every forecaster be
 * scored, selected and calibrated the same way. Preallocated; filling it allocates nothing.
 */
export class Predictive {
  readonly samples: Float64Array;
  n = 0;
  /** The forecaster's mean when it has a better one than the sample's (parametric models). */
  mean = 0;
  /**
   * The forecaster's central value, what point metrics (MAE) score: the median for the
   * distributional forecasters (the MAE-optimal point), the defining value for the naive ones
   * (the last window, the moving average), whatever their residual-based spread looks like.
   */
  point = 0;
  /** Spread unit for extending the tails (see quantile): the series' unit size, e.g. bytes per line. */
  unit = 1;
  /**
   * Levels at which to read the bounds of the 90% and 50% intervals (5, 25, 75, 95% nominally):
   * a calibrated forecaster moves them (see IntervalCalibrator).
   */
  readonly levels = Float64Array.of(0.05, 0.25, 0.75, 0.95);

  constructor(readonly capacity = 64) {
    this.samples = new Float64Array(capacity);
  }

  clear(): void {
    this.n = 0;
    this.mean = 0;
    this.point = 0;
    this.levels[0] = 0.05;
    this.levels[1] = 0.25;
    this.levels[2] = 0.75;
    this.levels[3] = 0.95;
  }

  /** Bound k of the intervals (0: lower 90%, 1: lower 50%, 2: upper 50%, 3: upper 90%). */
  bound(k: number): number {
    return this.quantile(this.levels[k]);
  }

  push(x: number): void {
    if (this.n < this.capacity) this.samples[this.n++] = x > 0 ? x : 0;
  }

  /** Sorts the sample and sets the mean and the point (the median) from it. */
  finish(): void {
    insertionSort(this.samples, this.n);
    let s = 0;
    for (let i = 0; i < this.n; i++) s += this.samples[i];
    this.mean = this.n > 0 ? s / this.n : 0;
    this.point = this.quantile(0.5);
  }

  /** A point mass at x (a deterministic forecast). */
  setPoint(x: number): void {
    this.clear();
    this.n = 1;
    this.samples[0] = x > 0 ? x : 0;
    this.mean = this.samples[0];
    this.point = this.samples[0];
  }

  copyFrom(o: Predictive): void {
    const n = Math.min(o.n, this.capacity);
    for (let i = 0; i < n; i++) this.samples[i] = o.samples[i];
    this.n = n;
    this.mean = o.mean;
    this.point = o.point;
    this.unit = o.unit;
    this.levels.set(o.levels);
  }

  /**
   * Quantile by linear interpolation between order statistics (position p (n - 1)). Levels
   * outside [0, 1] extend the tails linearly, one sample range (at least one unit) per unit of
   * level, so that a calibrator can ask for more (or less) than the sample spans; results are
   * clamped at 0 because window totals are non-negative.
   */
  quantile(p: number): number {
    const n = this.n;
    if (n === 0) return 0;
    const lo = this.samples[0];
    const hi = this.samples[n - 1];
    if (p > 1 || p < 0) {
      const span = Math.max(hi - lo, this.unit);
      return p > 1 ? hi + (p - 1) * span : Math.max(0, lo + p * span);
    }
    if (n === 1) return lo;
    const h = p * (n - 1);
    const i = Math.floor(h);
    if (i >= n - 1) return hi;
    return this.samples[i] + (h - i) * (this.samples[i + 1] - this.samples[i]);
  }

  variance(): number {
    if (this.n < 2) return 0;
    let m = 0;
    for (let i = 0; i < this.n; i++) m += this.samples[i];
    m /= this.n;
    let ss = 0;
    for (let i = 0; i < this.n; i++) ss += (this.samples[i] - m) * (this.samples[i] - m);
    return ss / (this.n - 1);
  }
}

/** In-place ascending insertion sort of a[0..n): allocation-free and fast for the n <= 64 used here. */
export function insertionSort(a: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const v = a[i];
    let j = i - 1;
    while (j >= 0 && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

/** Standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  const a1 = -39.69683028665376, a2 = 220.9460984245205, a3 = -275.9285104469687;
  const a4 = 138.357751867269, a5 = -30.66479806614716, a6 = 2.506628277459239;
  const b1 = -54.47609879822406, b2 = 161.5858368580409, b3 = -155.6989798598866;
  const b4 = 66.80131188771972, b5 = -13.28068155288572;
  const c1 = -7.784894002430293e-3, c2 = -0.3223964580411365, c3 = -2.400758277161838;
  const c4 = -2.549732539343734, c5 = 4.374664141464968, c6 = 2.938163982698783;
  const d1 = 7.784695709041462e-3, d2 = 0.3224671290700398, d3 = 2.445134137142996, d4 = 3.754408661907416;
  const pl = 0.02425;
  if (p < pl) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c1 * q + c2) * q + c3) * q + c4) * q + c5) * q + c6) / ((((d1 * q + d2) * q + d3) * q + d4) * q + 1);
  }
  if (p > 1 - pl) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c1 * q + c2) * q + c3) * q + c4) * q + c5) * q + c6) / ((((d1 * q + d2) * q + d3) * q + d4) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a1 * r + a2) * r + a3) * r + a4) * r + a5) * r + a6) * q) /
    (((((b1 * r + b2) * r + b3) * r + b4) * r + b5) * r + 1);
}

/** Largest mean for which counts are walked exactly; above it the gamma approximation is used. */
const EXACT_MEAN_LIMIT = 400;

/**
 * Fills `out` with the distribution of a count with the given mean and variance, at `n`
 * stratified levels (i + 0.5) / n, scaled by `unit` (so a byte total can be modelled as a count
 * of lines of `unit` bytes). Over-dispersed (variance > mean): negative binomial; otherwise
 * Poisson. The exact CDF is walked by the pmf recurrence (no gamma function needed: it starts
 * from pmf(0), which does not underflow below EXACT_MEAN_LIMIT); larger means use the gamma
 * distribution with the same moments through the Wilson-Hilferty cube-root normal approximation.
 */
export function fillCountDistribution(out: Predictive, mean: number, variance: number, n: number, unit = 1): void {
  out.clear();
  out.unit = unit;
  const m = n > out.capacity ? out.capacity : n;
  if (!(mean > 0)) {
    out.setPoint(0);
    return;
  }
  const v = Math.max(variance, mean);
  if (mean <= EXACT_MEAN_LIMIT) {
    // NB(r, p): mean = r(1-p)/p, var = mean / p  =>  p = mean / var, r = mean p / (1 - p)
    const over = v > mean * (1 + 1e-9);
    const p = mean / v;
    const r = over ? (mean * p) / (1 - p) : 0;
    let k = 0;
    let pmf = over ? Math.exp(r * Math.log(p)) : Math.exp(-mean);
    let cdf = pmf;
    for (let i = 0; i < m; i++) {
      const level = (i + 0.5) / m;
      while (cdf < level && k < 100_000) {
        pmf *= over ? ((k + r) / (k + 1)) * (1 - p) : mean / (k + 1);
        k++;
        cdf += pmf;
      }
      out.samples[i] = k * unit;
    }
    out.n = m;
  } else {
    const shape = (mean * mean) / v;
    const scale = v / mean;
    const c = 1 / (9 * shape);
    for (let i = 0; i < m; i++) {
      const z = normalQuantile((i + 0.5) / m);
      const t = 1 - c + z * Math.sqrt(c);
      out.samples[i] = t > 0 ? Math.round(shape * scale * t * t * t) * unit : 0;
    }
    out.n = m;
  }
  out.mean = mean * unit;
  out.point = out.quantile(0.5);
}
