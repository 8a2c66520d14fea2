/**
 * The write-event ring's memory layout, shared byte for byte with native/src/ring.h. The C side
 * is the source of truth: the engine addon exports the layout it was built with (`ringLayout`),
 * and ringLayoutMismatch() below holds it against these constants when the addon is loaded.
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

/** The layout as the engine addon exports it (byte offsets). */
export interface ExportedRingLayout {
  version: number;
  headerBytes: number;
  slotBytes: number;
  header: Record<'capacity' | 'version' | 'head' | 'tail' | 'dropped', number>;
  slot: Record<'seq' | 'handle' | 'timeMs' | 'offset' | 'length' | 'pid', number>;
}

/** This reader's layout, in the addon's terms. */
export const RING_LAYOUT: ExportedRingLayout = {
  version: RING_LAYOUT_VERSION,
  headerBytes: RING_HEADER_BYTES,
  slotBytes: RING_SLOT_BYTES,
  header: { capacity: H_CAPACITY * 4, version: H_VERSION * 4, head: H_HEAD * 4, tail: H_TAIL * 4, dropped: H_DROPPED * 4 },
  slot: { seq: S_SEQ * 4, handle: S_HANDLE * 4, timeMs: F_TIME * 8, offset: F_OFFSET * 8, length: S_LENGTH * 4, pid: S_PID * 4 },
};

/** Where an addon's exported layout differs from this reader's ("slot.pid is at 24, not 28"), or null. */
export function ringLayoutMismatch(exported: unknown): string | null {
  if (exported === null || typeof exported !== 'object') return 'the addon exports no ring layout (built from other sources?)';
  const got = exported as Record<string, unknown>;
  const differences: string[] = [];
  const compare = (name: string, theirs: unknown, ours: number) => {
    if (theirs !== ours) differences.push(`${name} is ${String(theirs)}, not ${ours}`);
  };
  for (const key of ['version', 'headerBytes', 'slotBytes'] as const) compare(key, got[key], RING_LAYOUT[key]);
  for (const part of ['header', 'slot'] as const) {
    const theirs = (got[part] ?? {}) as Record<string, unknown>;
    for (const [field, ours] of Object.entries(RING_LAYOUT[part])) compare(`${part}.${field}`, theirs[field], ours);
  }
  return differences.length ? `its write ring layout differs from this version's: ${differences.join(', ')}` : null;
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}
