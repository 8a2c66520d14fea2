import { region64 } from './typed-arena';
/**
 * Severity levels, by index. The order is fixed (most severe first) because typed arrays of
 * per-level counters are indexed by it everywhere: in the profiler's parsers, the models and
 * the shadow log.
 */
export const SEVERITY_LEVELS = ['fatal', 'error', 'warn', 'notice', 'info', 'debug', 'trace', 'unknown'] as const;
export type SeverityName = (typeof SEVERITY_LEVELS)[number];
export const SEVERITY_COUNT = SEVERITY_LEVELS.length;
export const SEV_FATAL = 0;
export const SEV_ERROR = 1;
export const SEV_WARN = 2;
export const SEV_NOTICE = 3;
export const SEV_INFO = 4;
export const SEV_DEBUG = 5;
export const SEV_TRACE = 6;
export const SEV_UNKNOWN = 7;

/** Out-of-range indices count as unknown rather than throwing: a parser bug must not stop profiling. */
export function clampSeverity(index: number): number {
  return index >= 0 && index < SEVERITY_COUNT ? index | 0 : SEV_UNKNOWN;
}

/**
 * A frequency distribution over the 8 levels that forgets with time constant `tauMs`: a line seen
 * `tauMs` ago weighs 1/e of a line seen now. Decay is applied lazily, by elapsed time, when a line
 * is added or the distribution is read, so an idle stream costs nothing.
 */
export class DecayingSeverityHistogram {
  /** From o: the weight of each level, then the time they were last decayed to (NaN before a line). */
  private readonly w: Float64Array;
  private readonly o: number;

  constructor(readonly tauMs: number) {
    if (!(tauMs > 0)) throw new RangeError('tauMs must be > 0');
    [this.w, this.o] = region64(SEVERITY_COUNT + 1);
    this.w[this.o + SEVERITY_COUNT] = Number.NaN;
  }

  /** The decayed weight of `level`. */
  weight(level: number): number {
    return this.w[this.o + level];
  }

  add(level: number, timeMs: number, count = 1): void {
    this.decayTo(timeMs);
    this.w[this.o + clampSeverity(level)] += count;
  }

  decayTo(timeMs: number): void {
    const w = this.w;
    const o = this.o;
    const lastMs = w[o + SEVERITY_COUNT];
    if (Number.isNaN(lastMs)) {
      w[o + SEVERITY_COUNT] = timeMs;
      return;
    }
    const dt = timeMs - lastMs;
    if (dt <= 0) return; // late or same-time lines are added undecayed rather than un-decaying the rest
    const f = Math.exp(-dt / this.tauMs);
    for (let i = 0; i < SEVERITY_COUNT; i++) w[o + i] *= f;
    w[o + SEVERITY_COUNT] = timeMs;
  }

  /** Decayed number of lines (the evidence behind the distribution). */
  total(): number {
    let s = 0;
    for (let i = 0; i < SEVERITY_COUNT; i++) s += this.w[this.o + i];
    return s;
  }

  /** Writes the normalised distribution into `out`; all zeros when nothing has been seen. */
  distribution(out: Float64Array): Float64Array {
    const t = this.total();
    for (let i = 0; i < SEVERITY_COUNT; i++) out[i] = t > 0 ? this.w[this.o + i] / t : 0;
    return out;
  }

  reset(): void {
    this.w.fill(0, this.o, this.o + SEVERITY_COUNT);
    this.w[this.o + SEVERITY_COUNT] = Number.NaN;
  }
}

/**
 * The mix expected over the next window: the short-memory histogram (which follows severity
 * storms) shrunk towards the long-memory one with `priorLines` pseudo-lines, i.e. the posterior
 * mean under a Dirichlet prior centred on the long-term mix. With little recent evidence it
 * falls back to the long-term mix; with none at all, to `unknown`.
 */
export function blendedSeverityMix(
  short: DecayingSeverityHistogram,
  long: DecayingSeverityHistogram,
  priorLines: number,
  out: Float64Array,
): Float64Array {
  const ns = short.total();
  const nl = long.total();
  if (ns + nl <= 0) {
    out.fill(0);
    out[SEV_UNKNOWN] = 1;
    return out;
  }
  const w = nl > 0 ? priorLines : 0;
  for (let i = 0; i < SEVERITY_COUNT; i++) {
    const pl = nl > 0 ? long.weight(i) / nl : 0;
    out[i] = (short.weight(i) + w * pl) / (ns + w);
  }
  return out;
}
