import type { StampFormat } from './timestamps';

export interface ScheduleOptions {
  /** Replay this many times faster than the original (1 = real time). */
  scale: number;
  /** Longest idle gap kept, in original time, ms (0: keep every gap). */
  maxGapMs: number;
}

export interface Schedule {
  /** When each line is written, ms after the replay starts. */
  offsetsMs: Float64Array;
  /** Lines whose stamp went backwards (several writers of one file) and were held at the last time. */
  clamped: number;
  /** Lines without a stamp of their own (continuations): they go with the line before. */
  unstamped: number;
  /** Original span after capping gaps, ms. */
  spanMs: number;
}

/**
 * When each line is written. The rule for lines that share a stamp (one rule for every format):
 * they are spread evenly inside the stamp's resolution, so 20 lines stamped with the same second
 * go out 50 ms apart rather than in one burst. A stamp earlier than the line before is held at
 * the line before's time; gaps longer than maxGapMs shrink to it; then everything is divided by
 * the scale.
 */
export function schedule(lines: string[], format: StampFormat, o: ScheduleOptions): Schedule {
  const n = lines.length;
  const raw = new Float64Array(n);
  let unstamped = 0;
  let last = Number.NaN;
  for (let i = 0; i < n; i++) {
    const t = format.parse(lines[i]);
    if (Number.isNaN(t)) {
      unstamped++;
      raw[i] = last;
    } else raw[i] = last = t;
  }
  // Lines before the first stamp go with it.
  const first = raw.findIndex((t) => !Number.isNaN(t));
  for (let i = 0; i < first; i++) raw[i] = raw[first];

  const times = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j < n && raw[j] === raw[i]) j++;
    const spread = Math.max(1, format.resolutionMs);
    for (let k = i; k < j; k++) times[k] = raw[i] + ((k - i) * spread) / (j - i);
    i = j;
  }
  let clamped = 0;
  let shift = 0;
  let prev = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < n; k++) {
    let t = times[k] - shift;
    if (t < prev) {
      clamped++;
      t = prev;
    }
    if (o.maxGapMs > 0 && k > 0 && t - prev > o.maxGapMs) {
      shift += t - prev - o.maxGapMs;
      t = prev + o.maxGapMs;
    }
    times[k] = t;
    prev = t;
  }
  const start = n ? times[0] : 0;
  const offsetsMs = new Float64Array(n);
  for (let k = 0; k < n; k++) offsetsMs[k] = (times[k] - start) / o.scale;
  return { offsetsMs, clamped, unstamped, spanMs: n ? times[n - 1] - start : 0 };
}
