import { loadNativeAddon, type AddonLoad } from './addon';

/** Offsets and lengths: numbers (up to 2^53) or bigints. */
export type ByteOffset = number | bigint;

export interface NativeAllocConstants {
  readonly FALLOC_FL_KEEP_SIZE: number;
  readonly FALLOC_FL_PUNCH_HOLE: number;
  readonly FALLOC_FL_ZERO_RANGE: number;
  readonly FALLOC_FL_COLLAPSE_RANGE: number;
  readonly FALLOC_FL_INSERT_RANGE: number;
  readonly POSIX_FADV_NORMAL: number;
  readonly POSIX_FADV_RANDOM: number;
  readonly POSIX_FADV_SEQUENTIAL: number;
  readonly POSIX_FADV_WILLNEED: number;
  readonly POSIX_FADV_DONTNEED: number;
  readonly POSIX_FADV_NOREUSE: number;
}

/**
 * logshadow_alloc: space and cache hints for the allocator. Every call returns 0 or -errno
 * (-EINVAL for a negative or fractional offset) and never throws, except a TypeError for an
 * argument of the wrong type. It needs no libfuse, so it loads where the engine cannot.
 */
export interface NativeAlloc {
  readonly constants: NativeAllocConstants;
  fallocate(fd: number, mode: number, offset: ByteOffset, length: ByteOffset): number;
  /** Frees the range's blocks; the size stays (PUNCH_HOLE | KEEP_SIZE). */
  punchHole(fd: number, offset: ByteOffset, length: ByteOffset): number;
  /** Allocates the range's blocks without changing the size (KEEP_SIZE). */
  reserve(fd: number, offset: ByteOffset, length: ByteOffset): number;
  fadvise(fd: number, offset: ByteOffset, length: ByteOffset, advice: number): number;
  /**
   * A read-only descriptor of `path` under the directory `dirfd`, or -errno: openat2 with
   * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, so no component of the path can lead elsewhere.
   */
  openBeneath(dirfd: number, path: string): number;
}

let alloc: AddonLoad<NativeAlloc> | undefined;

export function loadNativeAlloc(): AddonLoad<NativeAlloc> {
  alloc ??= loadNativeAddon<NativeAlloc>('logshadow_alloc', ['fallocate', 'punchHole', 'reserve', 'fadvise', 'openBeneath']);
  return alloc;
}
