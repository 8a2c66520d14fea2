import type { Forecast } from './forecast';
import type { LogHistogram } from './log-histogram';
import { SEV_UNKNOWN, SEVERITY_COUNT } from './severity';

/** Predicted entries of the horizon, struct-of-arrays, preallocated by `createEntries(n)`. */
export interface PredictedEntries {
  count: number;
  readonly timeMs: Float64Array;
  readonly level: Uint8Array;
  readonly bytes: Float64Array;
  /** Lines each predicted entry stands for: the stream's lines per entry, times the entries each stands for (> 1 when more are expected than the buffer holds). */
  linesPerEntry: number;
}

export function createEntries(capacity: number): PredictedEntries {
  return {
    count: 0, timeMs: new Float64Array(capacity), level: new Uint8Array(capacity), bytes: new Float64Array(capacity),
    linesPerEntry: 1,
  };
}

// Scratch shared by every stream (the model runs on one thread).
const assigned = new Float64Array(SEVERITY_COUNT);

/**
 * Up to `out.timeMs.length` predicted entries of the forecast `f`, deterministic (no random draw,
 * so the shadow log is stable between refreshes): the expected number of entries (the forecast
 * mean, rounded; writes when `useLines` is false, no lines being parsed) spread evenly over the
 * horizon; levels apportioned to the expected entry mix by largest remainder, interleaved; sizes
 * read from the `sizes` sketch (line lengths, or write sizes) at stratified quantile levels in
 * golden-ratio order (so the sizes follow the fitted distribution, not copies of past lines),
 * times the lines an entry stands for (`linesPerEntry`: the stream's lines per entry, and more
 * when more entries are expected than the buffer holds).
 */
export function fillEntries(out: PredictedEntries, f: Forecast, sizes: LogHistogram, useLines: boolean, horizonMs: number): number {
  const expected = Math.round(useLines ? f.entries.mean : f.writes.mean);
  const cap = out.timeMs.length;
  const n = Math.min(cap, expected);
  out.count = n;
  out.linesPerEntry = n > 0 ? (useLines ? f.lines.mean : expected) / n : 1;
  if (n === 0) return 0;
  const mix = f.entryLevelMix;
  assigned.fill(0);
  const step = horizonMs / n;
  for (let i = 0; i < n; i++) {
    out.timeMs[i] = f.originMs + (i + 0.5) * step;
    // the level furthest behind its quota so far
    let best = SEV_UNKNOWN;
    let bestLag = Number.NEGATIVE_INFINITY;
    for (let l = 0; l < SEVERITY_COUNT; l++) {
      if (mix[l] <= 0) continue;
      const lag = mix[l] * (i + 1) - assigned[l];
      if (lag > bestLag) {
        bestLag = lag;
        best = l;
      }
    }
    assigned[best]++;
    out.level[i] = useLines ? best : SEV_UNKNOWN;
    const level = (((i + 1) * 0.6180339887498949) % 1 + 0.5 / n) % 1;
    out.bytes[i] = sizes.quantile(level) * out.linesPerEntry;
  }
  return n;
}
