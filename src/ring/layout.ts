/**
 * The write-event ring's memory layout, shared byte for byte with native/src/ring.h.
 *
 * A bounded multi-producer, single-consumer queue in one ArrayBuffer (Vyukov's per-slot sequence
 * numbers): producers are the engine's FUSE threads (or the JavaScript engine's op handlers),
 * the consumer is the profiler's drain on the refresh tick. A producer never waits: when the slot
 * it needs has not been drained yet, the record is dropped and `dropped` is incremented.
 *
 * Header (64 bytes, u32 words):
 *   [0] capacity (a power of two)   [1] layout version
 *   [2] head: next position to claim (producers, compare-and-swap)
 *   [3] tail: next position to drain (consumer only)
 *   [4] dropped: records lost because the ring was full
 * Slot i (32 bytes each, from byte 64):
 *   u32 seq     i at start; pos+1 once written for position pos; pos+capacity once drained
 *   u32 handle  the engine's id of the open file the write went through
 *   f64 timeMs  CLOCK_MONOTONIC, milliseconds
 *   f64 offset  the file offset the kernel asked for
 *   u32 length  bytes written
 *   u32 pid     the calling process, 0 when the engine cannot know
 * Positions are u32 and wrap; comparisons use the signed difference.
 */
export const RING_LAYOUT_VERSION = 1;
export const RING_HEADER_BYTES = 64;
export const RING_SLOT_BYTES = 32;

export const H_CAPACITY = 0;
export const H_VERSION = 1;
export const H_HEAD = 2;
export const H_TAIL = 3;
export const H_DROPPED = 4;

/** Word offsets inside a slot, in u32 units (S_*) and f64 units (F_*). */
export const S_SEQ = 0;
export const S_HANDLE = 1;
export const F_TIME = 1;
export const F_OFFSET = 2;
export const S_LENGTH = 6;
export const S_PID = 7;

export const DEFAULT_RING_CAPACITY = 1 << 16;

export function ringBytes(capacity: number): number {
  return RING_HEADER_BYTES + capacity * RING_SLOT_BYTES;
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}
