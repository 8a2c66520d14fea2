import type { EngineCounters, FileEvent, FileEventBody } from '../engine';
import type { WriteRing } from '../../ring/write-ring';

/** Bound on queued file events: a consumer that stops draining must not grow the daemon. */
export const MAX_QUEUED_FILE_EVENTS = 65_536;

/**
 * What every fuse-native operation module shares: where the backing directory is, the open-file
 * table, and the two channels to the profiler (the write ring and the file-event queue).
 */
export class OpContext {
  /** Backing fd → the engine's handle id for that open file. */
  private readonly handles = new Map<number, number>();
  private nextHandle = 1;
  /** Writable handles per backing file (dev:ino), and the file each writable fd belongs to. */
  private readonly writers = new Map<string, number>();
  private readonly writerOf = new Map<number, string>();
  private events: FileEvent[] = [];
  fileEventsDropped = 0;
  readonly counters: EngineCounters;

  constructor(
    /** The backing directory as a path this process can reach (/proc/self/fd/N). */
    readonly root: string,
    readonly ring: WriteRing,
  ) {
    this.counters = { ops: {}, errors: {}, writes: 0, bytesWritten: 0, ringDropped: 0 };
  }

  /**
   * The backing path of a path inside the mount. The root maps to `<root>/.` because the root
   * itself is a /proc magic link: lstat would describe the link, not the directory.
   */
  backing(path: string): string {
    return path === '/' ? this.root + '/.' : this.root + path;
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

  forget(fd: number): number {
    const handle = this.handleOf(fd);
    this.handles.delete(fd);
    const inode = this.writerOf.get(fd);
    if (inode !== undefined) {
      this.writerOf.delete(fd);
      const n = (this.writers.get(inode) ?? 1) - 1;
      if (n > 0) this.writers.set(inode, n);
      else this.writers.delete(inode);
    }
    return handle;
  }

  addWriter(fd: number, inode: string): void {
    this.writerOf.set(fd, inode);
    this.writers.set(inode, (this.writers.get(inode) ?? 0) + 1);
  }

  /** Whether some handle can write the backing file (dev:ino). */
  hasWriters(inode: string): boolean {
    return this.writers.has(inode);
  }

  /** Queues a file event; when the queue is full the event is dropped (and its descriptor closed). */
  emit(event: FileEventBody, closeFd: (fd: number) => void): void {
    if (this.events.length >= MAX_QUEUED_FILE_EVENTS) {
      this.fileEventsDropped++;
      if (event.kind === 'open' && event.readFd >= 0) closeFd(event.readFd);
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
