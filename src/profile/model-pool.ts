import type { WindowRecord } from '../model/issued-forecasts';
import { StreamModel, type StreamModelOptions } from '../model/stream-model';
import type { Stream } from './stream';

/**
 * Models are the expensive part of a stream (~30 KiB each), so only streams that are writing
 * hold one, and at most `capacity` at a time: a model goes back when its stream goes dormant,
 * and when the pool is full the stream idle the longest gives its model up (it forecasts
 * nothing until it writes again and earns a new one).
 */
export class ModelPool {
  private readonly holders = new Set<Stream>();
  evictions = 0;
  /** Per-stream observer of scored windows, asked as each model is made (the daemon's window history). */
  onWindowFor: ((stream: Stream) => ((record: WindowRecord) => void) | undefined) | null = null;

  constructor(readonly capacity: number, private readonly options: Partial<StreamModelOptions>) {}

  get size(): number {
    return this.holders.size;
  }

  /** The stream's model, made on its first write. */
  acquire(stream: Stream): StreamModel {
    if (stream.model) return stream.model;
    if (this.holders.size >= this.capacity) this.evictStalest();
    stream.model = new StreamModel(this.onWindowFor ? { ...this.options, onWindow: this.onWindowFor(stream) } : this.options);
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
    this.holders.delete(stream);
  }

  streams(): IterableIterator<Stream> {
    return this.holders.values();
  }

  private evictStalest(): void {
    let victim: Stream | null = null;
    for (const s of this.holders) if (!victim || s.lastWriteMs < victim.lastWriteMs) victim = s;
    if (victim) {
      this.release(victim);
      this.evictions++;
    }
  }
}
