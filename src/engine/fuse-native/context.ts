import type { EngineCounters, FileEvent, FileEventBody, FileGoneHandler } from '../engine';
import type { WriteRing } from '../../ring/write-ring';
import type { FuseTiers } from './tiering';

/** Bound on queued file events: a consumer that stops draining must not grow the daemon. */
export const MAX_QUEUED_FILE_EVENTS = 65_536;

/**
 * What every fuse-native operation module shares: where the backing directory is (the working
 * directory, see backing()), the open-file table, and the two channels to the profiler (the write
 * ring and the file-event queue).
 */
export class OpContext {
  /** Backing fd → the engine's handle id for that open file. */
  private readonly handles = new Map<number, number>();
  private nextHandle = 1;
  /** Handles per backing file (dev:ino), writable ones apart, and the file each fd belongs to. */
  private readonly open = new Map<string, number>();
  private readonly writers = new Map<string, number>();
  private readonly inodeOf = new Map<number, { inode: string; writer: boolean }>();
  /** See Engine.onFileGone. */
  fileGone: FileGoneHandler | null = null;
  private events: FileEvent[] = [];
  /** Handles whose open event was dropped: the consumer never heard of them, nor of their release. */
  private readonly unannounced = new Set<number>();
  readonly counters: EngineCounters;
  /** A tiered mount's tails (tiering.ts); null for a RAM-only mount. */
  tiers: FuseTiers | null = null;

  constructor(
    /** The backing directory as a path this process can reach (/proc/self/fd/N). */
    readonly root: string,
    readonly ring: WriteRing,
  ) {
    this.counters = { ops: {}, errors: {}, writes: 0, bytesWritten: 0, ringDropped: 0, fileEventsDropped: 0 };
  }

  /**
   * The backing path of a path inside the mount: relative, to the working directory, which the
   * engine makes the backing directory at mount. An absolute path through the backing directory's
   * /proc/self/fd link would eat 17 bytes of PATH_MAX: a path of 4,080 bytes in the mount, which
   * tmpfs takes, would fail with ENAMETOOLONG.
   */
  backing(path: string): string {
    return path === '/' ? '.' : path.slice(1);
  }

  registerOpen(fd: number): number {
    const handle = this.nextHandle;
    this.nextHandle = (this.nextHandle + 1) >>> 0 || 1;
    this.handles.set(fd, handle);
    return handle;
  }

  handleOf(fd: number): number {
    return this.handles.get(fd) ?? 0;
  }

  /** The handle of `fd` goes: its id, and whether it was its file's last open handle. */
  forget(fd: number): { handle: number; last: boolean } {
    const handle = this.handleOf(fd);
    this.handles.delete(fd);
    const of = this.inodeOf.get(fd);
    if (!of) return { handle, last: false };
    this.inodeOf.delete(fd);
    if (of.writer) decrement(this.writers, of.inode);
    return { handle, last: decrement(this.open, of.inode) };
  }

  /** Counted before the open is answered, so before the first write can arrive. */
  addHandle(fd: number, inode: string, writer: boolean): void {
    this.inodeOf.set(fd, { inode, writer });
    increment(this.open, inode);
    if (writer) increment(this.writers, inode);
  }

  /** Whether some handle can write the backing file (dev:ino). */
  hasWriters(inode: string): boolean {
    return this.writers.has(inode);
  }

  /**
   * A regular file lost a name (`before` is what lstat said just before): if that was its last
   * name and no handle has it open, the consumer lets go of it now, before the caller is answered.
   */
  afterUnlink(before: { dev: number; ino: number; nlink: number; isFile(): boolean } | undefined): void {
    if (!before || !before.isFile() || before.nlink !== 1 || this.open.has(`${before.dev}:${before.ino}`)) return;
    this.gone(before.dev, before.ino);
  }

  /**
   * A file is about to be cut to `size` bytes (truncate, ftruncate, O_TRUNC): bytes the consumer
   * has not read back yet would be gone before its tick (logrotate's copytruncate right after a
   * write), so it catches up first, as it lets go of a removed file (Engine.onFileGone).
   */
  beforeTruncate(st: { dev: number; ino: number; size: number; isFile(): boolean } | undefined, size: number): void {
    if (st && st.isFile() && st.size > size) this.gone(st.dev, st.ino);
  }

  /** Tells the consumer; whatever it throws stays here, so that the operation is still answered. */
  gone(dev: number, ino: number): void {
    try {
      this.fileGone?.(dev, ino);
    } catch {
      // the consumer's own failure: at worst the space comes back at its next tick
    }
  }

  /**
   * Queues a file event; when the queue is full the event is dropped (and its descriptor closed),
   * except a release: a lost release would leave its file open in the consumer's tables for good.
   * Releases are bounded anyway, one per announced open. The release of a handle whose open was
   * dropped goes too: the consumer never heard of it.
   */
  emit(event: FileEventBody, closeFd: (fd: number) => void): void {
    if (event.kind === 'release' && this.unannounced.delete(event.handle)) return;
    if (this.events.length >= MAX_QUEUED_FILE_EVENTS && event.kind !== 'release') {
      this.counters.fileEventsDropped++;
      if (event.kind === 'open') {
        this.unannounced.add(event.handle);
        if (event.readFd >= 0) closeFd(event.readFd);
        if ((event.diskFd ?? -1) >= 0) closeFd(event.diskFd!);
      }
      return;
    }
    this.events.push({ ...event, ringPos: this.ring.head });
  }

  takeEvents(): FileEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** True when the count reached zero. */
function decrement(counts: Map<string, number>, key: string): boolean {
  const n = (counts.get(key) ?? 1) - 1;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
  return n <= 0;
}
