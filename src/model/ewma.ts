import { region64 } from './typed-arena';

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
  /** From o: the rates' values, then the time of the last decay and of the first event (NaN before one). */
  private readonly v: Float64Array;
  private readonly o: number;
  private readonly last: number;

  constructor(tausMs: readonly number[]) {
    if (tausMs.length === 0) throw new RangeError('at least one time constant is needed');
    for (const t of tausMs) if (!(t > 0)) throw new RangeError('time constants must be > 0');
    this.tausMs = sharedTaus(tausMs);
    [this.v, this.o] = region64(tausMs.length + 2);
    this.last = this.o + tausMs.length;
    this.v[this.last] = Number.NaN;
    this.v[this.last + 1] = Number.NaN;
  }

  get size(): number {
    return this.tausMs.length;
  }

  add(timeMs: number, amount: number): void {
    const v = this.v;
    const o = this.o;
    const taus = this.tausMs;
    const lastMs = v[this.last];
    if (Number.isNaN(lastMs)) {
      v[this.last] = timeMs;
      v[this.last + 1] = timeMs;
    } else if (timeMs - lastMs >= MIN_DECAY_MS) {
      const dt = timeMs - lastMs;
      for (let i = 0; i < taus.length; i++) v[o + i] *= Math.exp(-dt / taus[i]);
      v[this.last] = timeMs;
    }
    // amount per tau-ms, scaled to per second
    for (let i = 0; i < taus.length; i++) v[o + i] += (amount * 1000) / taus[i];
  }

  /** Rate per second at time `nowMs` for time constant number `i`. */
  rate(i: number, nowMs: number): number {
    const lastMs = this.v[this.last];
    if (Number.isNaN(lastMs)) return 0;
    const tau = this.tausMs[i];
    const v = this.v[this.o + i] * Math.exp(-Math.max(0, nowMs - lastMs) / tau);
    // the kernel mass up to now; at least one millisecond so a lone first event is not divided by 0
    const mass = 1 - Math.exp(-Math.max(1, nowMs - this.v[this.last + 1]) / tau);
    return v / mass;
  }

  reset(): void {
    this.v.fill(0, this.o, this.last);
    this.v[this.last] = Number.NaN;
    this.v[this.last + 1] = Number.NaN;
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
