import { region32 } from './typed-arena';
/**
 * Recent history of one stream at sub-window resolution: `capacity` slots of `slotMs` each (a
 * window is `slotsPerWindow` slots), for a few series (writes, lines, bytes) that share the same
 * clock. Slots are aligned to multiples of `slotMs` on the caller's clock, shifted by `phaseMs`, so
 * windows aligned to multiples of the window length (shifted alike) fall on slot boundaries.
 *
 * The open slot accumulates; `advanceTo(t)` closes every slot that ends at or before t. Forecasts
 * are always made at the boundary of the last closed slot (the *origin*): from there, "window lag
 * j" is the sum of slots [origin - (j + 1) W, origin - j W), the trailing windows aligned to the
 * origin. Any tick can ask for a forecast, with at most one slot of staleness, and the windows the
 * shadow log scores (aligned to multiples of W) are simply the origins that fall on them.
 */
export class SlotRing {
  /** Series s's slots at o + s * (capacity + 1), in d. */
  private readonly d: Float32Array;
  private readonly o: number;
  /** Slots closed since the ring started (capped at capacity for indexing purposes). */
  closed = 0;
  /** Start time of the open slot; NaN until the first advance. */
  openStartMs = Number.NaN;
  private head = 0; // index of the open slot

  constructor(
    readonly seriesCount: number,
    readonly capacity: number,
    readonly slotMs: number,
    readonly slotsPerWindow: number,
    readonly phaseMs = 0,
  ) {
    if (!(capacity >= slotsPerWindow && slotsPerWindow >= 1)) throw new RangeError('capacity must hold a window');
    // +1: the open slot lives beside the `capacity` closed ones
    // float32: counts are exact to 2^24 per slot, byte totals beyond that within 1e-7 relative
    [this.d, this.o] = region32(seriesCount * (capacity + 1));
  }

  get stateBytes(): number {
    return this.seriesCount * (this.capacity + 1) * 4;
  }

  get windowMs(): number {
    return this.slotMs * this.slotsPerWindow;
  }

  /** End of the last closed slot: where forecasts start. NaN before the first slot closes. */
  get originMs(): number {
    return this.openStartMs;
  }

  start(timeMs: number): void {
    this.openStartMs = Math.floor((timeMs - this.phaseMs) / this.slotMs) * this.slotMs + this.phaseMs;
  }

  /** Whether the open slot begins a window (its start is a multiple of the window length, shifted by the phase). */
  get atWindowStart(): boolean {
    return Math.round((this.openStartMs - this.phaseMs) / this.slotMs) % this.slotsPerWindow === 0;
  }

  /** The last window start at or before `timeMs`. */
  windowStartAtOrBefore(timeMs: number): number {
    const w = this.windowMs;
    return Math.floor((timeMs - this.phaseMs) / w) * w + this.phaseMs;
  }

  get started(): boolean {
    return !Number.isNaN(this.openStartMs);
  }

  /** Adds to the open slot (the caller has advanced the ring to the event's time first). */
  add(series: number, value: number): void {
    this.d[this.o + series * (this.capacity + 1) + this.head] += value;
  }

  /** End time of the open slot. */
  get openEndMs(): number {
    return this.openStartMs + this.slotMs;
  }

  /** Closes the open slot and opens the next (zeroed) one. */
  closeSlot(): void {
    const stride = this.capacity + 1;
    this.head = this.head === this.capacity ? 0 : this.head + 1;
    for (let s = 0; s < this.seriesCount; s++) this.d[this.o + s * stride + this.head] = 0;
    this.openStartMs += this.slotMs;
    if (this.closed < Number.MAX_SAFE_INTEGER) this.closed++;
  }

  /** Jumps over `slots` empty slots at once (a long idle gap): clears everything. */
  skipEmpty(slots: number): void {
    this.d.fill(0, this.o, this.o + this.seriesCount * (this.capacity + 1));
    this.openStartMs += slots * this.slotMs;
    this.closed += slots;
  }

  /** Closed slots available (at most capacity). */
  get slotCount(): number {
    return this.closed < this.capacity ? this.closed : this.capacity;
  }

  /** Value of closed slot `lag` (0 = the last closed one). */
  slot(series: number, lag: number): number {
    if (lag < 0 || lag >= this.slotCount) return 0;
    const stride = this.capacity + 1;
    let i = this.head - 1 - lag;
    if (i < 0) i += stride;
    return this.d[this.o + series * stride + i];
  }

  /** Value accumulated so far in the open slot. */
  openValue(series: number): number {
    return this.d[this.o + series * (this.capacity + 1) + this.head];
  }

  /** Complete trailing windows available at the origin. */
  get windowCount(): number {
    return Math.floor(this.slotCount / this.slotsPerWindow);
  }

  /** Sum of `len` closed slots starting `fromLag` slots back (lags fromLag .. fromLag + len - 1). */
  sumSlots(series: number, fromLag: number, len: number): number {
    let s = 0;
    for (let k = 0; k < len; k++) s += this.slot(series, fromLag + k);
    return s;
  }

  /** Trailing window `lag` (0 = the one ending at the origin). */
  window(series: number, lag: number): number {
    return this.sumSlots(series, lag * this.slotsPerWindow, this.slotsPerWindow);
  }
}
