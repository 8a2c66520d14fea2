/**
 * Burst state: the short-term rate has departed upwards from the long-term one. Hysteresis keeps
 * it from flickering: it enters above `enterRatio` x long and leaves below `exitRatio` x long.
 * The excess must also be significant for counts (`minExcess` in units per second, and a Poisson
 * z-score on the short window's expected count) so that one line on a near-silent stream is not a
 * burst.
 */
export interface BurstOptions {
  enterRatio: number;
  exitRatio: number;
  minExcess: number;
  zScore: number;
}

const DEFAULTS: Readonly<BurstOptions> = Object.freeze({ enterRatio: 3, exitRatio: 1.5, minExcess: 0.5, zScore: 3 });

export class BurstDetector {
  readonly options: Readonly<BurstOptions>;
  inBurst = false;
  /** Number of state changes so far (a cheap way to see flapping). */
  transitions = 0;
  sinceMs = Number.NaN;

  constructor(options?: Partial<BurstOptions>) {
    // The defaults shared: one detector per model, a thousand models.
    this.options = options ? { ...DEFAULTS, ...options } : DEFAULTS;
    if (!(this.options.enterRatio > this.options.exitRatio)) throw new RangeError('enterRatio must exceed exitRatio');
  }

  /**
   * @param shortRate per second, smoothed over `shortTauMs`
   * @param longRate per second, over a much longer time constant
   */
  update(shortRate: number, longRate: number, shortTauMs: number, nowMs: number): boolean {
    const o = this.options;
    if (!this.inBurst) {
      const expected = (longRate * shortTauMs) / 1000; // counts expected in one short time constant
      const excessCount = ((shortRate - longRate) * shortTauMs) / 1000;
      const significant = excessCount > o.zScore * Math.sqrt(Math.max(expected, 1));
      if (shortRate >= o.enterRatio * longRate && shortRate - longRate >= o.minExcess && significant) {
        this.inBurst = true;
        this.transitions++;
        this.sinceMs = nowMs;
      }
    } else if (shortRate <= o.exitRatio * longRate) {
      this.inBurst = false;
      this.transitions++;
      this.sinceMs = nowMs;
    }
    return this.inBurst;
  }

  reset(): void {
    this.inBurst = false;
    this.transitions = 0;
    this.sinceMs = Number.NaN;
  }
}
