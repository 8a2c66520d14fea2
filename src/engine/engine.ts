import type { WriteRing } from '../ring/write-ring';
import type { TierControl, TieredOptions } from './tiers';

/**
 * The seam between a data path and everything above it. An engine mounts, serves every FUSE
 * operation against the backing directory, pushes one record per write into its ring, and
 * queues the rarer file events (opens, renames, ...) that give those records meaning.
 * The profiler, shadow log and allocator only ever see this interface.
 */
export type EngineName = 'native' | 'fuse-native';
export type CacheMode = 'writethrough' | 'writeback';

export interface EngineMountOptions {
  /** Absolute path of the mountpoint. */
  mountpoint: string;
  /** A descriptor of the backing directory, opened before the mount covered it. */
  backingFd: number;
  /** Where the backing directory can be reached by path from this process (/proc/self/fd/N). */
  backingPath: string;
  cache: CacheMode;
  /** Largest write the kernel may send in one request, bytes. */
  maxWrite: number;
  ringCapacity: number;
  debug: boolean;
  /**
   * A tiered mount: `backingFd` is then the disk directory (names, metadata, the synced heads)
   * and the tails live in the RAM directory given here. Absent: a RAM-only mount.
   */
  tiered?: TieredOptions;
}

/** A file was opened or created through the mount. */
export interface OpenEvent {
  kind: 'open';
  /** The engine's id for this open file; never reused while the engine runs. */
  handle: number;
  /** Path inside the mount, starting with '/'. */
  path: string;
  /** The process that opened it; 0 when the engine cannot know (fuse-native). */
  pid: number;
  /** The opener's process name as read at open time (it may have exited by the tick). */
  comm?: string;
  /** open(2) flags as the caller passed them. */
  flags: number;
  created: boolean;
  /**
   * A read-only descriptor of the same backing file, opened by the engine at open time so that
   * content can be read back later without racing renames. Owned by the consumer, which must
   * close it; -1 if it could not be opened. For a tiered file, its RAM copy.
   */
  readFd: number;
  /**
   * Tiered files only: a read-only descriptor of the disk copy, owned by the consumer like
   * readFd. Bytes below the disk copy's length are read from it: the RAM copy gives its synced
   * head back (punched holes read as zeros). -1 or absent otherwise.
   */
  diskFd?: number;
  /**
   * The file's size when it was opened (of the copy readFd reads), -1 when the engine could not
   * tell; absent from engines that do not say (then the consumer measures it when it applies
   * the open, after writes may have landed).
   */
  size?: number;
}

export interface ReleaseEvent { kind: 'release'; handle: number }
export interface RenameEvent { kind: 'rename'; from: string; to: string }
export interface UnlinkEvent { kind: 'unlink'; path: string }
export interface TruncateEvent { kind: 'truncate'; path: string; size: number }

/**
 * Every file event carries `ringPos`: the write ring's head position (u32, wrapping) when the
 * event was queued. Records at positions before it happened before the event, so the profiler
 * can put a rename or a truncation in its place among the writes.
 */
export type FileEventBody = OpenEvent | ReleaseEvent | RenameEvent | UnlinkEvent | TruncateEvent;
export type FileEvent = FileEventBody & { ringPos: number };

export type FileGoneHandler = (dev: number, ino: number) => void;

export interface EngineCounters {
  /** FUSE requests served, by operation name. */
  ops: Record<string, number>;
  /** Requests that returned an error, by operation name. */
  errors: Record<string, number>;
  writes: number;
  bytesWritten: number;
  /** Write records lost because the ring was full. */
  ringDropped: number;
  /** File events lost because their queue was full (their descriptors were closed). */
  fileEventsDropped: number;
}

export interface Engine {
  readonly name: EngineName;
  readonly cache: CacheMode;
  /** Whether the engine can tell which process made a request. */
  readonly knowsCaller: boolean;
  readonly ring: WriteRing;
  /** Resolves once the kernel has the mount and requests are being served. */
  mount(): Promise<void>;
  /**
   * Unmounts (lazily when busy) and stops serving. Idempotent. File events still queued stay
   * drainable so their descriptors can be closed.
   */
  unmount(): Promise<void>;
  /** File events since the last call, oldest first. */
  drainFileEvents(): FileEvent[];
  counters(): EngineCounters;
  /**
   * Punches [offset, offset + length) out of the backing file (dev, ino) through `fd`, only if no
   * handle has the file open for writing, and atomically with respect to new writable opens: a
   * punch can then never zero bytes that an append is landing. 0, -EBUSY (a writer has it open),
   * or -errno. The pre-allocator gives space back only this way while the mount serves.
   */
  punchIfIdle(dev: number, ino: number, fd: number, offset: number, length: number): number;
  /**
   * Sets the handler for files that are gone but for the consumer's descriptors: called on this
   * thread when a backing file (dev, ino) has lost its last name (unlink, rename over it) and
   * its last handle. The read descriptors of open events, and whatever the consumer opened from
   * them, are then all that keeps its space, so the handler closes what it holds on it. The
   * operation that let the file go waits for the handler (up to 250 ms), so that when `rm`
   * returns the space is free, as on a plain tmpfs. It is also called, and waited for the same
   * way, before a truncation that would cut off bytes of a file the consumer may hold (its new
   * bytes are read back on its tick: copytruncate right after a write would leave it nothing to
   * read). Either way the consumer catches up with the file now. The handler must not throw.
   */
  onFileGone(handler: FileGoneHandler): void;
  /**
   * The consumer holds no descriptor on the backing file (dev, ino) any more, as of the open
   * event of `lastHandle`: the engine need not ask about it (onFileGone) unless it is opened
   * again, which saves removing it a round trip to this thread. A stale call is ignored.
   */
  consumerDone(dev: number, ino: number, lastHandle: number): void;
  /**
   * Sets the handler for the engine ceasing to serve without an unmount (the native engine's
   * process died): the mount is then dead, and only a new mount recovers it. An engine that runs
   * in this process never calls it.
   */
  onLost(handler: (reason: string) => void): void;
  /** After unmount: true once no request can reach a backing file any more. */
  readonly stoppedServing: boolean;
  /** A tiered mount's syncs and figures; null for a RAM-only mount. */
  readonly tiers: TierControl | null;
  /** After unmount: the unsynced bytes the final sync left in the RAM directory (0: none). */
  readonly unsyncedLeft: number;
}
