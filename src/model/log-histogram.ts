import { region32 } from './typed-arena';
/**
 * A streaming quantile sketch for sizes (bytes per write, bytes per line): a fixed array of
 * logarithmic bins, the DDSketch construction (Masson, Rim & Lee, VLDB 2019). A value x >= 1
 * falls in bin k = ceil(log_gamma x) with gamma = (1 + a) / (1 - a); every value in a bin is
 * within relative error `a` of the bin's representative 2 gamma^k / (gamma + 1). So any quantile
 * (p50, p90, p99, or the stratified ones the shadow log draws entry sizes from) is returned with
 * relative error at most `a` with respect to the exact sample quantile at the same rank, whatever
 * the distribution (multimodal and discrete sizes included, where P^2 has no guarantee).
 *
 * Why this over P^2: one sketch answers every quantile (P^2 needs 5 markers per quantile fixed in
 * advance), its error is bounded, it is mergeable (per-application streams can be summed from
 * per-file ones) and an update is one log and one increment. Memory is fixed: with a = 2.5% and
 * sizes up to 1 MiB, 280 float32 bins (1.1 KiB). Values below 1 go to a zero bin, values above
 * `maxValue` to the top bin (counted in `overflow`, where the guarantee is lost).
 *
 * Recency: when the total count passes `maxTotal` every bin is halved, an exponential forgetting
 * by count (half-life about maxTotal/2 values) at an amortised cost of one pass per maxTotal/2
 * updates.
 */
export interface LogHistogramOptions {
  relativeAccuracy: number;
  maxValue: number;
  maxTotal: number;
}

const DEFAULTS: LogHistogramOptions = { relativeAccuracy: 0.025, maxValue: 1 << 20, maxTotal: 1 << 16 };

export class LogHistogram {
  readonly relativeAccuracy: number;
  readonly maxValue: number;
  readonly maxTotal: number;
  readonly gamma: number;
  /** Bins: c[o] is the zero bin (x < 1); c[o + k + 1] is log bin k. */
  readonly bins: number;
  private readonly c: Float32Array;
  private readonly o: number;
  private readonly logGamma: number;
  private totalCount = 0;
  overflow = 0;
  private lastValue = Number.NaN;
  private lastBin = 0;

  constructor(options: Partial<LogHistogramOptions> = {}) {
    const o = { ...DEFAULTS, ...options };
    if (!(o.relativeAccuracy > 0 && o.relativeAccuracy < 1)) throw new RangeError('relativeAccuracy in (0,1)');
    if (!(o.maxValue >= 1)) throw new RangeError('maxValue must be >= 1');
    if (!(o.maxTotal >= 2)) throw new RangeError('maxTotal must be >= 2');
    this.relativeAccuracy = o.relativeAccuracy;
    this.maxValue = o.maxValue;
    this.maxTotal = o.maxTotal;
    this.gamma = (1 + o.relativeAccuracy) / (1 - o.relativeAccuracy);
    this.logGamma = Math.log(this.gamma);
    this.bins = Math.ceil(Math.log(o.maxValue) / this.logGamma) + 2;
    [this.c, this.o] = region32(this.bins);
  }

  get total(): number {
    return this.totalCount;
  }

  add(x: number, count = 1): void {
    this.c[this.o + this.binOf(x)] += count;
    this.totalCount += count;
    if (this.totalCount > this.maxTotal) this.halve();
  }

  /**
   * The value at rank floor(q (n - 1)) of the (decayed) counts, within the relative accuracy.
   * 0 when empty.
   */
  quantile(q: number): number {
    if (this.totalCount <= 0) return 0;
    const p = q <= 0 ? 0 : q >= 1 ? 1 : q;
    const rank = Math.floor(p * (this.totalCount - 1) + 1e-9);
    let cum = 0;
    const last = this.bins - 1;
    for (let i = 0; i <= last; i++) {
      cum += this.c[this.o + i];
      if (cum > rank) return this.valueOf(i);
    }
    return this.valueOf(last);
  }

  /** Mean from the bin representatives (within the relative accuracy of the true mean). */
  mean(): number {
    if (this.totalCount <= 0) return 0;
    let s = 0;
    for (let i = 1; i < this.bins; i++) if (this.c[this.o + i] > 0) s += this.c[this.o + i] * this.valueOf(i);
    return s / this.totalCount;
  }

  /** Adds another sketch's counts (same accuracy and range required). */
  merge(other: LogHistogram): void {
    if (other.bins !== this.bins || other.gamma !== this.gamma) {
      throw new RangeError('cannot merge sketches with different parameters');
    }
    for (let i = 0; i < this.bins; i++) this.c[this.o + i] += other.c[other.o + i];
    this.totalCount += other.totalCount;
    this.overflow += other.overflow;
    while (this.totalCount > this.maxTotal) this.halve();
  }

  reset(): void {
    this.c.fill(0, this.o, this.o + this.bins);
    this.totalCount = 0;
    this.overflow = 0;
  }

  private binOf(x: number): number {
    if (!(x >= 1)) return 0; // also NaN
    if (x > this.maxValue) {
      this.overflow++;
      return this.bins - 1;
    }
    // Writers often repeat a size (fixed records, fio): one log per new size, not per value.
    if (x === this.lastValue) return this.lastBin;
    const k = Math.ceil(Math.log(x) / this.logGamma - 1e-12);
    this.lastValue = x;
    this.lastBin = Math.min(this.bins - 1, k + 1);
    return this.lastBin;
  }

  private valueOf(bin: number): number {
    if (bin === 0) return 0;
    return (2 * Math.pow(this.gamma, bin - 1)) / (this.gamma + 1);
  }

  private halve(): void {
    for (let i = 0; i < this.bins; i++) this.c[this.o + i] *= 0.5;
    this.totalCount *= 0.5;
  }
}
