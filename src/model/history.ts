import { SlotRing } from './slot-ring';
import { region64 } from './typed-arena';

/**
 * What a forecaster sees of one series of one stream at the forecast origin: the trailing
 * windows (lag 0 ends at the origin), the slots they are made of, and a little shared context.
 * Read-only and allocation-free.
 */
export interface WindowHistory {
  /** Complete trailing windows available. */
  readonly length: number;
  /** Total of trailing window `lag` (0 = the window that ends at the origin). */
  at(lag: number): number;
  readonly slotsPerWindow: number;
  /** Closed slots available. */
  readonly slotCount: number;
  /** Total of closed slot `lag` (0 = the last closed slot). */
  slot(lag: number): number;
  /** Sum of `len` trailing slots starting `fromLag` back. */
  sumSlots(fromLag: number, len: number): number;
  /** Size of one count unit of this series: mean bytes per line for bytes, 1 for counts. */
  readonly unit: number;
  /** Period of the stream's activity in slots (0 = none detected); shared by its series. */
  readonly periodSlots: number;
  /** Slots closed since the stream started: identifies the origin (it grows by one per slot). */
  readonly originSlot: number;
}

/**
 * A WindowHistory over the series of a SlotRing, one at a time (`select`): one object and one
 * array per stream serve its three series. Window totals are computed once per origin and series
 * (O(windows x slotsPerWindow)) and cached, because forecasters read them many times.
 */
export class RingHistory implements WindowHistory {
  /** Per series, from o + series * stride: the `closed` count it was computed at, then its window totals. */
  private readonly cache: Float64Array;
  private readonly o: number;
  private readonly stride: number;
  private series = 0;
  unit = 1;
  periodSlots = 0;

  constructor(private readonly ring: SlotRing) {
    this.stride = 1 + Math.floor(ring.capacity / ring.slotsPerWindow);
    [this.cache, this.o] = region64(ring.seriesCount * this.stride);
    for (let s = 0; s < ring.seriesCount; s++) this.cache[this.o + s * this.stride] = -1;
  }

  /** Makes this the history of `series`; returns it. */
  select(series: number): this {
    this.series = series;
    return this;
  }

  get stateBytes(): number {
    return this.ring.seriesCount * this.stride * 8;
  }

  get length(): number {
    return this.ring.windowCount;
  }

  get slotsPerWindow(): number {
    return this.ring.slotsPerWindow;
  }

  get slotCount(): number {
    return this.ring.slotCount;
  }

  get originSlot(): number {
    return this.ring.closed;
  }

  at(lag: number): number {
    const base = this.o + this.series * this.stride;
    if (this.cache[base] !== this.ring.closed) this.refresh(base);
    return lag >= 0 && lag < this.stride - 1 ? this.cache[base + 1 + lag] : 0;
  }

  slot(lag: number): number {
    return this.ring.slot(this.series, lag);
  }

  sumSlots(fromLag: number, len: number): number {
    return this.ring.sumSlots(this.series, fromLag, len);
  }

  private refresh(base: number): void {
    const n = this.ring.windowCount;
    for (let j = 0; j < this.stride - 1; j++) this.cache[base + 1 + j] = j < n ? this.ring.window(this.series, j) : 0;
    this.cache[base] = this.ring.closed;
  }
}

/** A WindowHistory over a plain array of window totals (oldest first): for tests and offline use. */
export class ArrayHistory implements WindowHistory {
  readonly slotsPerWindow = 1;
  unit = 1;
  periodSlots = 0;
  length: number;

  constructor(private readonly values: ArrayLike<number>, length = values.length) {
    this.length = length;
  }

  at(lag: number): number {
    return lag >= 0 && lag < this.length ? this.values[this.length - 1 - lag] : 0;
  }

  get slotCount(): number {
    return this.length;
  }

  get originSlot(): number {
    return this.length;
  }

  slot(lag: number): number {
    return this.at(lag);
  }

  sumSlots(fromLag: number, len: number): number {
    let s = 0;
    for (let k = 0; k < len; k++) s += this.at(fromLag + k);
    return s;
  }
}
