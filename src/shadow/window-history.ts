import { SERIES_BYTES, SERIES_LINES } from '../model/forecast';
import {
  ISSUED_POINT, ISSUED_Q05, ISSUED_Q95, issuedOffset, TRACK_MODEL, TRACK_MOVING_AVERAGE, TRACK_NAIVE_LAST, type WindowRecord,
} from '../model/issued-forecasts';
import type { Stream } from '../profile/stream';

/**
 * The recent scored windows of each file stream that holds a model, for `logshadow report`:
 * what really landed beside what the model and the two naive forecasters had issued for the
 * window at its start. Fixed memory per stream (one typed array), filled from StreamModel's
 * onWindow callback, so nothing is allocated per window.
 *
 * A stream's history lives as long as its model: when the pool takes the model back (the stream
 * went dormant, or was evicted) the history is dropped at the next model creation or query.
 * Application streams are not kept: the report charts files.
 */

/** Exact columns of one stored window (64-bit). */
const C_START = 0;
const C_ACTUAL_BYTES = 1;
const C_ACTUAL_LINES = 2;
const EXACT_COLUMNS = 3;
/** Then point, q05, q95 for each forecaster in FORECASTERS order, in 32 bits (see StreamWindowHistory). */
const FORECAST_COLUMNS = 3 * 3;

export const FORECASTERS = ['model', 'naiveLast', 'movingAverage'] as const;
export type ForecasterKey = (typeof FORECASTERS)[number];
/** The issued-forecast track of each of FORECASTERS, in that order. */
const TRACKS = [TRACK_MODEL, TRACK_NAIVE_LAST, TRACK_MOVING_AVERAGE];

/** One forecaster's bytes forecast for a window: its point (the value MAE scores) and 90% interval. */
export interface IssuedBytes {
  point: number;
  q05: number;
  q95: number;
}

export interface HistoryWindow {
  /** Window start, ms on the daemon's monotonic clock. */
  startMs: number;
  actualBytes: number;
  actualLines: number;
  model: IssuedBytes;
  naiveLast: IssuedBytes;
  movingAverage: IssuedBytes;
}

/**
 * A ring of the last `capacity` windows of one stream. What landed and when are kept exactly; the
 * forecasts in 32-bit floats (a relative error of 6e-8, far below what a forecast is worth, as the
 * scorer keeps its errors): a thousand streams' histories were the daemon's largest single
 * allocation at 11.5 KiB each, 7 KiB so.
 */
export class StreamWindowHistory {
  private readonly exact: Float64Array;
  private readonly forecasts: Float32Array;
  private head = 0;
  /** Windows stored (at most capacity). */
  size = 0;
  /** Windows seen since the history began. */
  total = 0;
  /** The forecaster the model's member was at the last window (ensemble selection). */
  lastModel = '';

  constructor(readonly capacity: number) {
    // One buffer for both (each typed array of its own costs a backing store and its records).
    const exactBytes = capacity * EXACT_COLUMNS * 8;
    const buffer = new ArrayBuffer(exactBytes + capacity * FORECAST_COLUMNS * 4);
    this.exact = new Float64Array(buffer, 0, capacity * EXACT_COLUMNS);
    this.forecasts = new Float32Array(buffer, exactBytes, capacity * FORECAST_COLUMNS);
  }

  get stateBytes(): number {
    return this.exact.byteLength + this.forecasts.byteLength;
  }

  record(r: WindowRecord): void {
    const e = this.exact;
    const b = this.head * EXACT_COLUMNS;
    e[b + C_START] = r.startMs;
    e[b + C_ACTUAL_BYTES] = r.actual[SERIES_BYTES];
    e[b + C_ACTUAL_LINES] = r.actual[SERIES_LINES];
    const f = this.forecasts;
    const fb = this.head * FORECAST_COLUMNS;
    for (let k = 0; k < FORECASTERS.length; k++) {
      const i = issuedOffset(SERIES_BYTES, TRACKS[k]);
      f[fb + k * 3] = r.issued[i + ISSUED_POINT];
      f[fb + k * 3 + 1] = r.issued[i + ISSUED_Q05];
      f[fb + k * 3 + 2] = r.issued[i + ISSUED_Q95];
    }
    this.lastModel = r.model;
    this.head = (this.head + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
    this.total++;
  }

  /** The stored windows, oldest first (allocates: for the control socket, not per window). */
  windows(): HistoryWindow[] {
    const out: HistoryWindow[] = [];
    const e = this.exact;
    const f = this.forecasts;
    for (let k = 0; k < this.size; k++) {
      const slot = (this.head - this.size + k + this.capacity) % this.capacity;
      const b = slot * EXACT_COLUMNS;
      const fb = slot * FORECAST_COLUMNS;
      const issued = (n: number): IssuedBytes => ({ point: f[fb + n * 3], q05: f[fb + n * 3 + 1], q95: f[fb + n * 3 + 2] });
      out.push({
        startMs: e[b + C_START], actualBytes: e[b + C_ACTUAL_BYTES], actualLines: e[b + C_ACTUAL_LINES],
        model: issued(0), naiveLast: issued(1), movingAverage: issued(2),
      });
    }
    return out;
  }
}

export class WindowHistory {
  private readonly byStream = new Map<Stream, StreamWindowHistory>();

  constructor(readonly capacity: number) {}

  /**
   * The onWindow callback for a stream about to get a model (ModelPool calls this just before it
   * creates one). A stream that had a history before keeps it: the windows are on one clock.
   */
  readonly recorderFor = (stream: Stream): ((r: WindowRecord) => void) | undefined => {
    if (stream.kind !== 'file') return undefined;
    this.prune(stream);
    let h = this.byStream.get(stream);
    if (!h) {
      h = new StreamWindowHistory(this.capacity);
      this.byStream.set(stream, h);
    }
    const history = h;
    return (r) => history.record(r);
  };

  /** Histories of the streams that hold a model now. */
  entries(): Array<[Stream, StreamWindowHistory]> {
    this.prune(null);
    return [...this.byStream];
  }

  get streams(): number {
    return this.byStream.size;
  }

  /** Drops the histories of streams whose model went back to the pool. */
  private prune(keep: Stream | null): void {
    for (const s of this.byStream.keys()) if (s !== keep && s.model === null) this.byStream.delete(s);
  }
}

/** One stream in the `history` reply (schema logshadow.history/1, docs/json.md). */
export interface StreamHistoryView {
  key: string;
  /** Totals written to the stream since the daemon started. */
  bytes: number;
  lines: number;
  /** The forecaster the model answered with at the last window. */
  forecaster: string;
  /** Windows scored since the history began (the list holds the last `capacity`). */
  windowsSeen: number;
  windows: Array<Omit<HistoryWindow, 'startMs'> & { startUnixMs: number }>;
}

export interface HistoryView {
  schema: 'logshadow.history/1';
  windowMs: number;
  capacity: number;
  /** Streams with a history in all (the list holds at most `top`). */
  streamsKept: number;
  streams: StreamHistoryView[];
}

export const MAX_HISTORY_STREAMS = 1000;

/**
 * The reply to the `history` control method: the busiest file streams by bytes (or one file),
 * with window starts turned into Unix time (the monotonic clock means nothing outside the daemon).
 */
export function historyView(history: WindowHistory, windowMs: number, nowMonotonicMs: number, nowUnixMs: number,
  opts: { file?: string; top?: number } = {}): HistoryView {
  const top = Math.max(1, Math.min(MAX_HISTORY_STREAMS, Math.floor(opts.top ?? 10) || 10));
  const all = history.entries();
  const chosen = all
    .filter(([s, h]) => h.size > 0 && (!opts.file || s.key === opts.file))
    .sort(([a], [b]) => b.bytes - a.bytes || (a.key < b.key ? -1 : 1))
    .slice(0, top);
  const offset = nowUnixMs - nowMonotonicMs;
  return {
    schema: 'logshadow.history/1',
    windowMs,
    capacity: history.capacity,
    streamsKept: all.length,
    streams: chosen.map(([s, h]) => ({
      key: s.key,
      bytes: s.bytes,
      lines: s.lines,
      forecaster: h.lastModel || s.forecast?.model || '',
      windowsSeen: h.total,
      windows: h.windows().map(({ startMs, ...w }) => ({ startUnixMs: Math.round(startMs + offset), ...w })),
    })),
  };
}
