/**
 * Welford's running mean and variance. With `maxCount` set, the count stops growing there, so
 * each new value keeps weight 1/maxCount: the estimate then tracks the recent past (an
 * exponential forgetting of effective size maxCount) instead of freezing on all history.
 */
export class Welford {
  count = 0;
  mean = 0;
  private m2 = 0;

  constructor(readonly maxCount = Number.POSITIVE_INFINITY) {
    if (!(maxCount >= 2)) throw new RangeError('maxCount must be >= 2');
  }

  add(x: number): void {
    const d = x - this.mean;
    if (this.count < this.maxCount) {
      this.count++;
      this.mean += d / this.count;
      this.m2 += d * (x - this.mean);
      return;
    }
    // Capped: the exponentially weighted update with weight w = 1/maxCount,
    // var' = (1 - w)(var + w d^2), kept on the same (n - 1) scale as m2.
    const n = this.count;
    const w = 1 / n;
    this.mean += w * d;
    this.m2 = (1 - w) * (this.m2 + (n - 1) * w * d * d);
  }

  /** Sample variance (n - 1 denominator); 0 until two values are seen. */
  variance(): number {
    return this.count > 1 ? Math.max(0, this.m2 / (this.count - 1)) : 0;
  }

  std(): number {
    return Math.sqrt(this.variance());
  }

  /** Coefficient of variation, std / mean; 0 when the mean is 0. */
  cv(): number {
    return this.mean > 0 ? this.std() / this.mean : 0;
  }

  reset(): void {
    this.count = 0;
    this.mean = 0;
    this.m2 = 0;
  }
}
