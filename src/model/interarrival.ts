import { Welford } from './welford';

/**
 * Inter-arrival times between writes: mean and coefficient of variation (CV = 1 for a Poisson
 * stream, > 1 bursty, < 1 regular/periodic). Gaps are capped (default 60 s) so one long silence
 * does not swamp the statistics of an otherwise steady stream; forgetting keeps them recent.
 */
export class InterArrivalStats {
  private readonly gaps: Welford;
  private lastMs = Number.NaN;

  constructor(
    readonly capMs = 60_000,
    memory = 1024,
  ) {
    this.gaps = new Welford(memory);
  }

  observe(timeMs: number): void {
    if (!Number.isNaN(this.lastMs)) {
      const gap = Math.max(0, timeMs - this.lastMs);
      this.gaps.add(Math.min(gap, this.capMs));
    }
    if (Number.isNaN(this.lastMs) || timeMs > this.lastMs) this.lastMs = timeMs;
  }

  get count(): number {
    return this.gaps.count;
  }

  meanMs(): number {
    return this.gaps.mean;
  }

  cv(): number {
    return this.gaps.cv();
  }

  reset(): void {
    this.gaps.reset();
    this.lastMs = Number.NaN;
  }
}

/**
 * Fano factor (variance / mean) of counts per window over the most recent `n` windows returned by
 * `at(lag)`: 1 for Poisson counts, > 1 over-dispersed (bursts, regimes). 0 when the mean is 0.
 */
export function fanoFactor(at: (lag: number) => number, n: number): number {
  if (n < 2) return 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += at(i);
  mean /= n;
  if (mean <= 0) return 0;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = at(i) - mean;
    ss += d * d;
  }
  return ss / (n - 1) / mean;
}
