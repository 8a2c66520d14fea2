import type { WindowRecord } from '../model/issued-forecasts';
import { DEFAULT_STREAM_MODEL_OPTIONS, StreamModel, type StreamModelOptions } from '../model/stream-model';
import { inArena } from '../model/typed-arena';
import type { Stream } from './stream';

/**
 * Models are the expensive part of a stream (~20 KiB each), so only streams that are writing
 * hold one, and at most `capacity` at a time: a model goes back when its stream goes dormant,
 * and when the pool is full a stream idle for a window or more gives its model up to one that
 * writes (it forecasts nothing until it writes again and earns a new one). While every holder
 * has written within the last window, a newcomer waits instead: with more active streams than
 * models, taking the stalest holder's model made the models change hands every tick (1,000
 * streams under a cap of 512: 157 MiB of daemon against 116 with every stream holding one).
 */
export class ModelPool {
  private readonly holders = new Set<Stream>();
  evictions = 0;
  /** Per-stream observer of scored windows, asked as each model is made (the daemon's window history). */
  onWindowFor: ((stream: Stream) => ((record: WindowRecord) => void) | undefined) | null = null;
  /** The models' window: a holder idle this long gives its model up to a newcomer. */
  private readonly windowMs: number;
  /** No holder can have been idle a window before this time (so a full pool is not searched per write). */
  private noVictimBeforeMs = -Infinity;

  constructor(readonly capacity: number, private readonly options: Partial<StreamModelOptions>) {
    this.windowMs = options.windowMs ?? DEFAULT_STREAM_MODEL_OPTIONS.windowMs;
  }

  get size(): number {
    return this.holders.size;
  }

  /** The stream's model, made on a write at `nowMs`; null while the pool is full of streams that write. */
  acquire(stream: Stream, nowMs = stream.lastWriteMs): StreamModel | null {
    if (stream.model) return stream.model;
    if (this.holders.size >= this.capacity && !this.evictIdle(nowMs)) return null;
    const phaseMs = phaseFor(stream.key, this.windowMs);
    const onWindow = this.onWindowFor?.(stream);
    stream.model = inArena(() => new StreamModel(this.options, { phaseMs, onWindow }));
    this.holders.add(stream);
    return stream.model;
  }

  /** Returns the models of streams that have gone dormant. */
  reclaimDormant(nowMs: number): void {
    for (const s of this.holders) {
      if (s.model && s.model.isDormant(nowMs)) this.release(s);
    }
  }

  release(stream: Stream): void {
    stream.model = null;
    // the forecast was the model's: a stream that earns a new one forecasts afresh
    stream.forecast = null;
    this.holders.delete(stream);
  }

  streams(): IterableIterator<Stream> {
    return this.holders.values();
  }

  /** Takes the model of the holder idle the longest, if it has been idle a window at `nowMs`. */
  private evictIdle(nowMs: number): boolean {
    if (nowMs < this.noVictimBeforeMs) return false;
    let victim: Stream | null = null;
    for (const s of this.holders) if (!victim || s.lastWriteMs < victim.lastWriteMs) victim = s;
    if (!victim) return false;
    if (!(nowMs - victim.lastWriteMs >= this.windowMs)) {
      // Holders' writes only move later, and a holder that leaves makes room: none qualifies before this.
      this.noVictimBeforeMs = victim.lastWriteMs + this.windowMs;
      return false;
    }
    this.release(victim);
    this.evictions++;
    return true;
  }
}

/**
 * A stream's phase (see StreamModelOptions.phaseMs): from a hash of its key, so that streams'
 * slots close spread evenly over the ticks, and a stream keeps its phase when it earns a model
 * again or the daemon restarts.
 */
export function phaseFor(key: string, windowMs: number): number {
  // FNV-1a, 32 bits
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % Math.floor(windowMs);
}
