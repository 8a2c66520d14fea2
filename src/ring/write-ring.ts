import {
  F_OFFSET, F_TIME, H_CAPACITY, H_DROPPED, H_HEAD, H_TAIL, H_VERSION, RING_HEADER_BYTES,
  RING_LAYOUT_VERSION, RING_SLOT_BYTES, S_HANDLE, S_LENGTH, S_PID, S_SEQ, isPowerOfTwo, ringBytes,
} from './layout';

/** One drained record. The drain reuses a single instance: copy what you keep. */
export interface WriteRecord {
  /** The record's ring position (u32, wrapping), comparable with FileEvent.ringPos. */
  pos: number;
  handle: number;
  timeMs: number;
  offset: number;
  length: number;
  pid: number;
}

const SLOT_U32 = RING_SLOT_BYTES / 4;
const SLOT_F64 = RING_SLOT_BYTES / 8;
const HEADER_U32 = RING_HEADER_BYTES / 4;
const HEADER_F64 = RING_HEADER_BYTES / 8;

/**
 * A typed-array view of the write-event ring (layout.ts). The JavaScript engine produces into it
 * with `push`; the native engine produces from C into the same layout. The profiler consumes with
 * `drain`. Neither side allocates per record.
 */
export class WriteRing {
  readonly capacity: number;
  private readonly mask: number;
  private readonly u32: Uint32Array;
  private readonly f64: Float64Array;
  private readonly record: WriteRecord = { pos: 0, handle: 0, timeMs: 0, offset: 0, length: 0, pid: 0 };

  /** Wraps an existing ring (from the native engine), or makes a new one of `capacity` slots. */
  constructor(bufferOrCapacity: ArrayBuffer | SharedArrayBuffer | number) {
    if (typeof bufferOrCapacity === 'number') {
      if (!isPowerOfTwo(bufferOrCapacity)) throw new RangeError('ring capacity must be a power of two');
      const buffer = new ArrayBuffer(ringBytes(bufferOrCapacity));
      this.u32 = new Uint32Array(buffer);
      this.u32[H_CAPACITY] = bufferOrCapacity;
      this.u32[H_VERSION] = RING_LAYOUT_VERSION;
      for (let i = 0; i < bufferOrCapacity; i++) this.u32[HEADER_U32 + i * SLOT_U32 + S_SEQ] = i;
    } else {
      this.u32 = new Uint32Array(bufferOrCapacity);
      if (this.u32[H_VERSION] !== RING_LAYOUT_VERSION) {
        throw new Error(`write ring layout ${this.u32[H_VERSION]} is not the expected ${RING_LAYOUT_VERSION}`);
      }
    }
    this.capacity = this.u32[H_CAPACITY];
    this.mask = this.capacity - 1;
    this.f64 = new Float64Array(this.u32.buffer);
  }

  get buffer(): ArrayBufferLike {
    return this.u32.buffer;
  }

  /** Records lost because the ring was full when they were produced. */
  get dropped(): number {
    return Atomics.load(this.u32, H_DROPPED);
  }

  /** The next position the consumer will drain. */
  get tail(): number {
    return this.u32[H_TAIL];
  }

  /** The next position a producer will claim (what a file event queued now records). */
  get head(): number {
    return Atomics.load(this.u32, H_HEAD);
  }

  /** Records waiting to be drained (approximate while producers run). */
  get pending(): number {
    return (Atomics.load(this.u32, H_HEAD) - this.u32[H_TAIL]) >>> 0;
  }

  /**
   * Producer side for the single-threaded JavaScript engine: no compare-and-swap is needed
   * because only one thread produces; the slot protocol is the same as native/src/ring.h.
   */
  push(handle: number, timeMs: number, offset: number, length: number, pid: number): boolean {
    const pos = this.u32[H_HEAD];
    const slot = HEADER_U32 + (pos & this.mask) * SLOT_U32;
    if (Atomics.load(this.u32, slot + S_SEQ) !== pos) {
      Atomics.add(this.u32, H_DROPPED, 1);
      return false;
    }
    this.u32[H_HEAD] = (pos + 1) >>> 0;
    const f = HEADER_F64 + (pos & this.mask) * SLOT_F64;
    this.u32[slot + S_HANDLE] = handle;
    this.f64[f + F_TIME] = timeMs;
    this.f64[f + F_OFFSET] = offset;
    this.u32[slot + S_LENGTH] = length;
    this.u32[slot + S_PID] = pid;
    Atomics.store(this.u32, slot + S_SEQ, (pos + 1) >>> 0);
    return true;
  }

  /**
   * Consumer side, once: frees the records before position `to` without reading them (those made
   * before this consumer attached, which it accounts for otherwise). Returns how many. Stops early
   * at a record still being written, which the next drain then reads.
   *
   * A consumer killed inside `drain` has freed slots past the tail it stored (the tail is stored
   * once per call): those slots, freed and perhaps already taken again by a producer for the next
   * lap, are passed over as consumed. Read as unpublished, they would hold the ring still for good.
   */
  skipTo(to: number): number {
    let tail = this.u32[H_TAIL];
    let n = 0;
    while (((to - tail) | 0) > 0) {
      const slot = HEADER_U32 + (tail & this.mask) * SLOT_U32;
      const ahead = (Atomics.load(this.u32, slot + S_SEQ) - tail) >>> 0;
      if (ahead === 1) Atomics.store(this.u32, slot + S_SEQ, (tail + this.capacity) >>> 0);
      // freed (or claimed again for the next lap): capacity; published for the next lap: + 1
      else if (ahead !== this.capacity && ahead !== this.capacity + 1) break;
      tail = (tail + 1) >>> 0;
      n++;
    }
    this.u32[H_TAIL] = tail;
    return n;
  }

  /**
   * Consumer side: hands each published record to `visit` (the same object every time) and frees
   * its slot. Stops at the first slot that is claimed but not yet published, so order is kept.
   * Returns the number of records drained; `limit` bounds the work of one call.
   */
  drain(visit: (r: WriteRecord) => void, limit = Infinity): number {
    let tail = this.u32[H_TAIL];
    let n = 0;
    const r = this.record;
    // The tail is stored however the loop ends: a visitor that throws costs the record it was
    // given, never the ring (stored only after the loop, the ring would stay full for good).
    try {
      while (n < limit) {
        const slot = HEADER_U32 + (tail & this.mask) * SLOT_U32;
        if (Atomics.load(this.u32, slot + S_SEQ) !== ((tail + 1) >>> 0)) break;
        const f = HEADER_F64 + (tail & this.mask) * SLOT_F64;
        r.pos = tail;
        r.handle = this.u32[slot + S_HANDLE];
        r.timeMs = this.f64[f + F_TIME];
        r.offset = this.f64[f + F_OFFSET];
        r.length = this.u32[slot + S_LENGTH];
        r.pid = this.u32[slot + S_PID];
        Atomics.store(this.u32, slot + S_SEQ, (tail + this.capacity) >>> 0);
        tail = (tail + 1) >>> 0;
        n++;
        visit(r);
      }
    } finally {
      this.u32[H_TAIL] = tail;
    }
    return n;
  }
}
