import { f64 } from './typed-arena';

/**
 * Events less than this after the last decay count as if they came with it: a writer at 40,000
 * writes a second paid four exp() per write and rate (16 a write with a file's and an
 * application's write and byte rates); now at most a set per millisecond. The error is at most a
 * millisecond's decay, 0.1% at the shortest time constant (1 s).
 */
const MIN_DECAY_MS = 1;

/**
 * Event rates (per second) smoothed with exponential kernels at several time constants, for
 * irregularly spaced events: on each event the estimate decays by exp(-dt/tau) for the time
 * elapsed since the previous event, then gains amount/tau. Reading at time t decays to t without
 * storing, so an idle stream costs nothing and its rate still falls towards zero.
 *
 * Until about one time constant has elapsed since the first event the kernel is not yet full and
 * the raw estimate is biased low; `rate()` divides by the kernel's mass seen so far,
 * 1 - exp(-(t - start)/tau), the same correction Adam applies to its moment estimates.
 */
export class MultiEwmaRate {
  readonly tausMs: Float64Array;
  private readonly values: Float64Array;
  private lastMs = Number.NaN;
  private startMs = Number.NaN;

  constructor(tausMs: readonly number[]) {
    if (tausMs.length === 0) throw new RangeError('at least one time constant is needed');
    for (const t of tausMs) if (!(t > 0)) throw new RangeError('time constants must be > 0');
    this.tausMs = sharedTaus(tausMs);
    this.values = f64(tausMs.length);
  }

  get size(): number {
    return this.tausMs.length;
  }

  add(timeMs: number, amount: number): void {
    if (Number.isNaN(this.lastMs)) {
      this.lastMs = timeMs;
      this.startMs = timeMs;
    } else if (timeMs - this.lastMs >= MIN_DECAY_MS) {
      const dt = timeMs - this.lastMs;
      for (let i = 0; i < this.values.length; i++) this.values[i] *= Math.exp(-dt / this.tausMs[i]);
      this.lastMs = timeMs;
    }
    // amount per tau-ms, scaled to per second
    for (let i = 0; i < this.values.length; i++) this.values[i] += (amount * 1000) / this.tausMs[i];
  }

  /** Rate per second at time `nowMs` for time constant number `i`. */
  rate(i: number, nowMs: number): number {
    if (Number.isNaN(this.lastMs)) return 0;
    const tau = this.tausMs[i];
    const v = this.values[i] * Math.exp(-Math.max(0, nowMs - this.lastMs) / tau);
    // the kernel mass up to now; at least one millisecond so a lone first event is not divided by 0
    const mass = 1 - Math.exp(-Math.max(1, nowMs - this.startMs) / tau);
    return v / mass;
  }

  reset(): void {
    this.values.fill(0);
    this.lastMs = Number.NaN;
    this.startMs = Number.NaN;
  }
}

/** One array per set of time constants, shared (read only): three rates per model, a thousand models. */
const tausByKey = new Map<string, Float64Array>();
function sharedTaus(tausMs: readonly number[]): Float64Array {
  const key = tausMs.join(',');
  let taus = tausByKey.get(key);
  if (!taus) {
    taus = Float64Array.from(tausMs);
    tausByKey.set(key, taus);
  }
  return taus;
}
