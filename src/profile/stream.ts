import type { Forecast } from '../model/forecast';
import type { StreamModel } from '../model/stream-model';
import { LineKind } from './content-profile';
import { DATA_TYPE_COUNT } from './data-type';
import { FORMAT_COUNT } from './formats';
import { SEVERITY_COUNT } from './severity';
import type { WriterInfo } from './writer-info';
import { packedFloat64 } from '../util/packed-arrays';

export type StreamKind = 'file' | 'app';

/**
 * One profiled stream: a log file (keyed by its path, so a rotated file's successor continues
 * it) or a writing application (keyed by its process name). Fixed memory: counters and typed
 * arrays, plus the stream's models.
 */
export class Stream {
  writes = 0;
  bytes = 0;
  lines = 0;
  lineBytes = 0;
  entries = 0;
  readonly levelLines: Float64Array;
  readonly levelEntries: Float64Array;
  /** Lines per format index (FORMAT_NAMES), the last slot for lines no format claimed. */
  readonly formatLines: Float64Array;
  /** Lines whose level is derived (an HTTP status class), not written. */
  derivedLines = 0;
  readonly dataTypeLines: Float64Array;
  /** Bytes written whose content could not be read back (truncated or removed before the tick). */
  unreadBytes = 0;
  /**
   * Bytes found in the file past every write record, their records dropped by a full ring
   * (Profiler.readGrowth): in `bytes`, their lines in `lines`, their writes not in `writes`.
   * Applications: such bytes credited to `unknown`.
   */
  unrecordedBytes = 0;
  /** Files: bytes a process copied into this file from another of the mount (not writes: see Profiler). */
  copiedBytes = 0;
  firstWriteMs = 0;
  lastWriteMs = 0;
  /** Open files currently feeding this stream; a stream in use is evicted only when all are. */
  openCount = 0;
  /** Never evicted (the profiler's `unknown` streams, which it keeps references to). */
  pinned = false;
  /** For an application: the last process seen (pid, command line). */
  lastWriter: WriterInfo | null = null;
  /** For a file: the application that wrote it last. */
  lastApp: string | null = null;
  /** Rates, sizes, mix and forecasts; held only while the stream writes (see ModelPool). */
  model: StreamModel | null = null;
  /** The shadow log's latest forecast for this stream, by its model (made again as the model closes a slot). */
  forecast: Forecast | null = null;
  /** The tick this stream last had an event in, so each tick ends a stream's model once. */
  tickSeen = -1;
  /** Ticks in which this stream wrote (a model is earned by writing in more than one). */
  activeTicks = 0;

  constructor(readonly kind: StreamKind, readonly key: string) {
    [this.levelLines, this.levelEntries, this.formatLines, this.dataTypeLines] =
      packedFloat64(SEVERITY_COUNT, SEVERITY_COUNT, FORMAT_COUNT + 1, DATA_TYPE_COUNT);
  }

  recordWrite(timeMs: number, length: number): void {
    if (this.writes === 0) this.firstWriteMs = timeMs;
    this.writes++;
    this.bytes += length;
    if (timeMs > this.lastWriteMs) this.lastWriteMs = timeMs;
    this.model?.observeWrite(timeMs, length);
  }

  /** A complete line; `kind`: LineKind bits (a line that starts an entry, a derived level). */
  recordLine(lengthBytes: number, severity: number, dataType: number, format: number, kind: number): void {
    const startsEntry = (kind & LineKind.StartsEntry) !== 0;
    this.lines++;
    this.lineBytes += lengthBytes;
    this.levelLines[severity]++;
    this.dataTypeLines[dataType]++;
    this.formatLines[format]++;
    if (startsEntry) {
      this.entries++;
      this.levelEntries[severity]++;
    }
    if ((kind & LineKind.Derived) !== 0) this.derivedLines++;
    this.model?.observeLine(lengthBytes, severity, startsEntry);
  }
}

/**
 * Streams by key, at most `capacity` of them: when full, the stream idle the longest (and not in
 * use by an open file) makes room, so 10,000 files written once cost no more than `capacity`.
 * Recency is the Map's insertion order, so finding that stream is O(1) in the common case.
 */
export class StreamTable {
  private readonly streams = new Map<string, Stream>();
  evicted = 0;

  constructor(readonly kind: StreamKind, readonly capacity: number, private readonly onEvict: (s: Stream) => void = () => undefined) {}

  get size(): number {
    return this.streams.size;
  }

  get(key: string): Stream {
    let s = this.streams.get(key);
    if (s) return s;
    if (this.streams.size >= this.capacity) this.evictOne();
    s = new Stream(this.kind, key);
    this.streams.set(key, s);
    return s;
  }

  peek(key: string): Stream | undefined {
    return this.streams.get(key);
  }

  values(): IterableIterator<Stream> {
    return this.streams.values();
  }

  /**
   * Marks a stream as just used: the table's insertion order is its recency order (a stream
   * moves to the end once per tick it writes in), so eviction takes the first entry not in use.
   */
  promote(s: Stream): void {
    if (this.streams.get(s.key) !== s) return;
    this.streams.delete(s.key);
    this.streams.set(s.key, s);
  }

  private evictOne(): void {
    let victim: Stream | undefined;
    for (const s of this.streams.values()) {
      if (s.openCount === 0 && !s.pinned) {
        victim = s;
        break;
      }
    }
    // Every stream in use: evict the least recent anyway, memory is the harder bound.
    if (!victim) for (const s of this.streams.values()) if (!s.pinned) { victim = s; break; }
    if (!victim) return;
    this.streams.delete(victim.key);
    this.evicted++;
    this.onEvict(victim);
  }
}
