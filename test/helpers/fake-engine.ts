import * as fs from 'node:fs';
import { join } from 'node:path';
import type { CacheMode, Engine, EngineCounters, FileEvent, FileEventBody, FileGoneHandler } from '../../src/engine/engine';
import { loadNativeAlloc } from '../../src/engine/native/alloc-addon';
import { WriteRing } from '../../src/ring/write-ring';
import { errnoOf } from '../../src/util/errno';

/**
 * An in-memory Engine over a plain directory (in /dev/shm: tmpfs, no root, no mount): the seam
 * every stage above the engine sees, so the profiler and the allocator are unit-tested with the
 * real ring, real backing files and real read descriptors, without FUSE. The test plays the
 * applications: open, write, rename, truncate, unlink, close, each queueing what a real engine
 * queues, in the same order (records and events share ring positions).
 */
export class FakeEngine implements Engine {
  readonly name = 'native' as const;
  readonly cache: CacheMode = 'writethrough';
  readonly knowsCaller = true;
  readonly ring: WriteRing;
  /** RAM only: the tiered mount's syncs are the native engine's, tested through real mounts. */
  readonly tiers = null;
  readonly unsyncedLeft = 0;
  stoppedServing = false;
  private events: FileEvent[] = [];
  private nextHandle = 1;
  private readonly handles = new Map<number, { fd: number; key: string; writer: boolean; path: string }>();
  private readonly writers = new Map<string, number>();
  private goneHandler: FileGoneHandler | null = null;
  /** What the consumer said it no longer holds (consumerDone), as "dev:ino". */
  readonly done = new Set<string>();
  /** Files the consumer was asked to catch up with (onFileGone), as "dev:ino", in order. */
  readonly asked: string[] = [];
  readonly counters_: EngineCounters = { ops: {}, errors: {}, writes: 0, bytesWritten: 0, ringDropped: 0, fileEventsDropped: 0 };

  constructor(readonly dir: string, ringCapacity = 1024) {
    this.ring = new WriteRing(ringCapacity);
  }

  /** A fresh backing directory in /dev/shm; remove it with `cleanup`. */
  static inShm(ringCapacity?: number): FakeEngine {
    return new FakeEngine(fs.mkdtempSync('/dev/shm/logshadow-fake-'), ringCapacity);
  }

  cleanup(): void {
    for (const h of this.handles.values()) fs.closeSync(h.fd);
    this.handles.clear();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private backing(path: string): string {
    return join(this.dir, path);
  }

  private emit(ev: FileEventBody): void {
    this.events.push({ ...ev, ringPos: this.ring.head });
  }

  /** open(2) by process `pid` named `comm`; returns the handle. Every open hands a read descriptor over. */
  open(path: string, flags: 'a' | 'r' | 'r+' | 'w' = 'a', pid = 4242, comm = 'app'): number {
    const p = this.backing(path);
    const created = !fs.existsSync(p);
    if (flags === 'w' && !created) this.beforeTruncate(p, 0);
    const fd = fs.openSync(p, flags);
    const st = fs.fstatSync(fd);
    const key = `${st.dev}:${st.ino}`;
    const writer = flags !== 'r';
    const handle = this.nextHandle++;
    this.handles.set(handle, { fd, key, writer, path });
    if (writer) this.writers.set(key, (this.writers.get(key) ?? 0) + 1);
    this.done.delete(key);
    const { O_RDONLY, O_RDWR, O_WRONLY, O_APPEND, O_TRUNC } = fs.constants;
    const osFlags = { r: O_RDONLY, 'r+': O_RDWR, a: O_WRONLY | O_APPEND, w: O_WRONLY | O_TRUNC }[flags];
    this.emit({ kind: 'open', handle, path, pid, comm, flags: osFlags | (created ? fs.constants.O_CREAT : 0), created, readFd: fs.openSync(p, 'r'), size: st.size });
    if (flags === 'w' && !created) this.emit({ kind: 'truncate', path, size: 0 });
    return handle;
  }

  /** write(2) through a handle: the bytes land in the file, then one record goes into the ring. */
  write(handle: number, data: string | Buffer, timeMs = performance.now()): void {
    const h = this.handles.get(handle)!;
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    const offset = fs.fstatSync(h.fd).size;
    fs.writeSync(h.fd, buf, 0, buf.length, offset);
    this.counters_.writes++;
    this.counters_.bytesWritten += buf.length;
    this.ring.push(handle, timeMs, offset, buf.length, 4242);
  }

  close(handle: number): void {
    const h = this.handles.get(handle)!;
    this.handles.delete(handle);
    fs.closeSync(h.fd);
    if (h.writer) {
      const n = (this.writers.get(h.key) ?? 1) - 1;
      if (n > 0) this.writers.set(h.key, n);
      else this.writers.delete(h.key);
    }
    this.emit({ kind: 'release', handle });
  }

  rename(from: string, to: string): void {
    fs.renameSync(this.backing(from), this.backing(to));
    this.emit({ kind: 'rename', from, to });
  }

  unlink(path: string): void {
    fs.unlinkSync(this.backing(path));
    this.emit({ kind: 'unlink', path });
  }

  /** truncate(2) by path: the consumer catches up first, as the real engines make it do. */
  truncate(path: string, size: number): void {
    const p = this.backing(path);
    this.beforeTruncate(p, size);
    fs.truncateSync(p, size);
    this.emit({ kind: 'truncate', path, size });
  }

  /** Bytes about to be cut off that the consumer may not have read: it is asked to catch up. */
  private beforeTruncate(p: string, size: number): void {
    const st = fs.statSync(p);
    const key = `${st.dev}:${st.ino}`;
    if (st.size > size && !this.done.has(key)) this.ask(st.dev, st.ino);
  }

  private ask(dev: number, ino: number): void {
    this.asked.push(`${dev}:${ino}`);
    this.goneHandler?.(dev, ino);
  }

  async mount(): Promise<void> {}

  async unmount(): Promise<void> {
    this.stoppedServing = true;
  }

  drainFileEvents(): FileEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  counters(): EngineCounters {
    return { ...this.counters_, ringDropped: this.ring.dropped };
  }

  punchIfIdle(dev: number, ino: number, fd: number, offset: number, length: number): number {
    if (this.writers.has(`${dev}:${ino}`)) return -errnoOf('EBUSY');
    const alloc = loadNativeAlloc();
    if (!alloc.ok) throw new Error(alloc.reason);
    return alloc.addon.punchHole(fd, offset, length);
  }

  onFileGone(handler: FileGoneHandler): void {
    this.goneHandler = handler;
  }

  onLost(): void {}

  consumerDone(dev: number, ino: number): void {
    this.done.add(`${dev}:${ino}`);
  }
}
