/**
 * Holt's linear (level + trend) exponential smoothing for observations at irregular intervals.
 * An observation `dt` units after the previous one is weighted as if `dt` unit steps had passed:
 * alpha_eff = 1 - (1 - alpha)^dt (same for beta), and the level is first projected along the
 * trend. With dt = 1 this is textbook Holt.
 */
export class Holt {
  level = 0;
  trend = 0;
  count = 0;

  constructor(
    readonly alpha: number,
    readonly beta: number,
  ) {
    if (!(alpha > 0 && alpha <= 1) || !(beta >= 0 && beta <= 1)) throw new RangeError('alpha in (0,1], beta in [0,1]');
  }

  update(value: number, dt = 1): void {
    if (this.count === 0) {
      this.level = value;
      this.trend = 0;
      this.count = 1;
      return;
    }
    const step = dt > 0 ? dt : 1;
    const a = 1 - Math.pow(1 - this.alpha, step);
    const b = 1 - Math.pow(1 - this.beta, step);
    const projected = this.level + this.trend * step;
    const level = a * value + (1 - a) * projected;
    this.trend = b * ((level - this.level) / step) + (1 - b) * this.trend;
    this.level = level;
    this.count++;
  }

  /** Level `steps` units ahead (not clamped: a rate model should clamp at zero itself). */
  forecast(steps: number): number {
    return this.level + this.trend * steps;
  }

  reset(): void {
    this.level = 0;
    this.trend = 0;
    this.count = 0;
  }
}
