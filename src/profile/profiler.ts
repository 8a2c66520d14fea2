import { constants, fstatSync, readSync } from 'node:fs';
import { closeQuietlySync } from '../util/fd';
import type { Engine, FileEvent } from '../engine/engine';
import { InodeState } from './inode';
import { ModelPool } from './model-pool';
import { monotonicMs } from '../util/clock';
import { named, RATE_WINDOWS_SEC, streamSnapshot, type StreamSnapshot } from './snapshot';
import { SEVERITY_COUNT, SEVERITY_NAMES } from './severity';
import { Stream, StreamTable } from './stream';
import { readWriterInfo, UNKNOWN_WRITER, type WriterInfo } from './writer-info';

export interface ProfilerOptions {
  refreshMs: number;
  /** The forecast horizon, which is also the models' scoring window. */
  horizonMs: number;
  /** Streams that may hold a model at once. */
  maxModels: number;
  maxFileStreams: number;
  maxAppStreams: number;
  /** Backing files remembered after their last close (open-append-close writers come back). */
  maxInodes: number;
  /** Largest read of new content per file per tick; the rest waits for the next tick. */
  maxReadPerTick: number;
  /**
   * Opens a file by its path inside the mount, never through a symlink nor out of the backing
   * directory (openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), when the engine could not hand over
   * a read descriptor (it caps how many wait undelivered): a descriptor or -errno. Null: no
   * fallback (the file's bytes are counted, its lines are not).
   */
  openBeneath: ((path: string) => number) | null;
  /**
   * Lines at or above this severity code (Severity: lower is more severe) mark their file for a
   * sync (takeSevere); null: none do.
   */
  syncOn: number | null;
}

export const DEFAULT_PROFILER_OPTIONS: ProfilerOptions = {
  refreshMs: 250,
  horizonMs: 10_000,
  maxModels: 1024,
  maxFileStreams: 4096,
  maxAppStreams: 512,
  maxInodes: 4096,
  maxReadPerTick: 8 * 1024 * 1024,
  openBeneath: null,
  syncOn: null,
};

/**
 * What happens to files that the allocator reacts to. Called during the tick, after the event
 * took effect in the profiler's tables.
 */
export interface ProfilerHooks {
  /** The file's name went away: rotated to another name, or unlinked. */
  fileMovedAway(inode: InodeState): void;
  /** The last descriptor open on the file closed; `wrote`: something was appended since it opened. */
  lastClose(inode: InodeState, wrote: boolean): void;
  /** The file shrank (truncation). */
  truncated(inode: InodeState): void;
  /** The profiler forgets the file (table full): nothing may keep a reference to it. */
  forgotten(inode: InodeState): void;
}

/** An open file as the engine reported it. */
interface OpenFile {
  inode: InodeState;
  app: Stream;
  /** The opener's process id (0: unknown) and whether it opened read-only. */
  pid: number;
  readOnly: boolean;
  /** A copy's destination (see Profiler.copies): its writes are counted apart. */
  copy: boolean;
  /** A copy that has written (counted once in the copies' file count). */
  copied: boolean;
}

const UNKNOWN_FILE = '(unknown file)';
/**
 * Programs whose writes into the mount are copies of its files, whatever else they hold open:
 * logrotate's copytruncate opens the original read-write (to truncate it), so the read-only rule
 * below does not see it.
 */
const COPIERS = new Set(['logrotate']);
/** Not in Node's fs.constants. */
const O_ACCMODE = 3;
/** Ticks with writes before a stream gets a model. */
const MODEL_AFTER_TICKS = 2;
const INITIAL_SEGMENTS = 4096;
const INITIAL_READ_BUFFER = 64 * 1024;

/**
 * Drains the engine's write ring and file events on the refresh tick, off the data path, and
 * keeps per-file and per-application streams. Content is read back from the backing files (only
 * bytes not read before), split into lines and classified; each line is credited to the file's
 * stream and to the application whose write completed it.
 */
export class Profiler {
  readonly files: StreamTable;
  readonly apps: StreamTable;
  readonly models: ModelPool;
  /** Writers looked up this tick, by pid. */
  private readonly writers = new Map<number, WriterInfo>();
  /** Streams with an event this tick (their models end the tick). */
  private readonly dirty: Stream[] = [];
  private tickNo = 0;
  private lastReclaimMs = 0;
  private readonly open = new Map<number, OpenFile>();
  private readonly inodes = new Map<string, InodeState>();
  private readonly byPath = new Map<string, InodeState>();
  private readonly unknownApp: Stream;
  private readonly unknownInode: InodeState;

  // This tick's write segments, pooled across ticks: a linked list per inode.
  private segStart = new Float64Array(INITIAL_SEGMENTS);
  private segEnd = new Float64Array(INITIAL_SEGMENTS);
  private segNext = new Int32Array(INITIAL_SEGMENTS);
  private segApp: Stream[] = [];
  private segFile: Stream[] = [];
  private segCount = 0;
  private readonly touched: InodeState[] = [];
  /** File events queued after the last record this tick drained: applied next tick, in order. */
  private laterEvents: FileEvent[] = [];
  /** Files with more new content than one tick reads: read on the next tick. */
  private readonly carryOver: InodeState[] = [];
  /** Files with a line at or above options.syncOn since takeSevere was last called. */
  private severe: InodeState[] = [];
  private readBuffer = Buffer.allocUnsafe(INITIAL_READ_BUFFER);
  /** The application and file stream credited with lines completed by the bytes being fed. */
  private lineApp: Stream;
  private lineFile: Stream;

  hooks: ProfilerHooks | null = null;
  totalWrites = 0;
  totalBytes = 0;
  totalLines = 0;
  /** Lines by severity since the start: only ever grow (the file table's sums shrink as it evicts). */
  private readonly levelTotals = new Float64Array(SEVERITY_COUNT);
  /** Processes (by pid) holding files of the mount open read-only, and how many. */
  private readonly readers = new Map<number, number>();
  /**
   * Writes a process made into one file while reading another of the mount (cp, gzip of a rotated
   * file, logrotate's copy), or by logrotate (copytruncate). Not application writes, so they are
   * counted here and not in the totals or in any stream but the copy's own `copiedBytes`.
   */
  readonly copies = { writes: 0, bytes: 0, files: 0 };
  unknownHandleRecords = 0;
  /** Files opened by path because the engine handed no read descriptor. */
  readFdFallbacks = 0;
  readErrors = 0;
  private readonly options: ProfilerOptions;

  constructor(private readonly engine: Engine, options: Partial<ProfilerOptions> = {}) {
    this.options = { ...DEFAULT_PROFILER_OPTIONS, ...options };
    this.models = new ModelPool(this.options.maxModels, { windowMs: this.options.horizonMs });
    const dropModel = (s: Stream) => this.models.release(s);
    this.files = new StreamTable('file', this.options.maxFileStreams, dropModel);
    this.apps = new StreamTable('app', this.options.maxAppStreams, dropModel);
    this.unknownApp = this.apps.get(UNKNOWN_WRITER.comm);
    this.unknownApp.pinned = true;
    this.lineApp = this.unknownApp;
    this.lineFile = this.files.get(UNKNOWN_FILE);
    this.lineFile.pinned = true;
    this.unknownInode = new InodeState('unknown', UNKNOWN_FILE, this.files.get(UNKNOWN_FILE), () => undefined);
  }

  /**
   * One refresh: write records in ring order with the file events placed among them (each event
   * knows the ring position it was queued at), then the new content, then the closes.
   */
  tick(): void {
    const events = this.laterEvents;
    this.laterEvents = [];
    for (const ev of this.engine.drainFileEvents()) events.push(ev);
    let next = 0;
    /** Applies the events queued before ring position `pos` (events are in ring order). */
    const applyUpTo = (pos: number) => {
      while (next < events.length && ((events[next].ringPos - pos) | 0) <= 0) this.applyEvent(events[next++]);
    };
    // Bounded by what was there when the tick began: writers that outpace the drain cannot keep
    // the tick from ending.
    const ring = this.engine.ring;
    ring.drain((r) => {
      applyUpTo(r.pos);
      let of = this.open.get(r.handle);
      if (!of) {
        // The open was queued after this tick's events were taken (files opened, written and
        // closed while the tick runs): take the events again. Cheap when there are none.
        for (const ev of this.engine.drainFileEvents()) events.push(ev);
        applyUpTo(r.pos);
        of = this.open.get(r.handle);
      }
      this.recordWrite(of, r.timeMs, r.offset, r.length);
    }, ring.pending);
    // Events up to where the drain stopped take effect now; later ones (taken while draining)
    // wait for the records before them, which the next tick drains.
    applyUpTo(ring.tail);
    this.laterEvents = events.slice(next);
    for (const inode of this.touched) if (inode.tickEnd >= 0) this.readNewContent(inode);
    this.touched.length = 0;
    for (const inode of this.carryOver) this.touched.push(inode);
    this.carryOver.length = 0;
    this.segCount = 0;
    this.endTick(monotonicMs());
  }

  /** Models of streams that saw events end their tick; idle streams cost nothing. */
  private endTick(nowMs: number): void {
    for (const s of this.dirty) s.model?.endTick(nowMs);
    this.dirty.length = 0;
    this.writers.clear();
    this.tickNo++;
    if (nowMs - this.lastReclaimMs > 5000) {
      this.models.reclaimDormant(nowMs);
      this.lastReclaimMs = nowMs;
    }
  }

  /** Marks a stream as active this tick, giving it a model on its first write. */
  private touch(s: Stream): void {
    if (s.tickSeen === this.tickNo) return;
    s.tickSeen = this.tickNo;
    s.activeTicks++;
    (s.kind === 'file' ? this.files : this.apps).promote(s);
    this.dirty.push(s);
    // A model (about 30 KiB) is earned by writing in a second tick: a file written once, or a
    // burst of ten thousand new files, costs counters only, never a model apiece.
    if (s.activeTicks >= MODEL_AFTER_TICKS) this.models.acquire(s);
  }

  /**
   * Whether the profiler (or the allocator, through the profiler's files) may hold a descriptor
   * on the backing file (dev, ino): an open event not applied yet that carries one (whichever
   * file it is), or a read descriptor or a reservation on it. Takes the engine's queued events,
   * keeping their order.
   */
  mayHold(dev: number, ino: number): boolean {
    for (const ev of this.engine.drainFileEvents()) this.laterEvents.push(ev);
    if (this.laterEvents.some((ev) => ev.kind === 'open' && (ev.readFd >= 0 || (ev.diskFd ?? -1) >= 0))) return true;
    const inode = this.inodes.get(`${dev}:${ino}`);
    return inode !== undefined && (inode.readFd >= 0 || inode.diskFd >= 0 || inode.reservation !== null);
  }

  /** Files the profiler holds state for (open now, or recently). */
  knownInodes(): IterableIterator<InodeState> {
    return this.inodes.values();
  }

  /**
   * Sizes the read-back buffer for the bytes expected per tick, so the steady state reads into
   * memory that already exists (it otherwise grows on the first tick that needs more).
   */
  presizeReadBuffer(bytesPerTick: number): void {
    this.ensureReadBuffer(Math.min(bytesPerTick, this.options.maxReadPerTick));
  }

  get readBufferBytes(): number {
    return this.readBuffer.length;
  }

  close(): void {
    for (const ev of this.laterEvents) this.applyEvent(ev);
    this.laterEvents = [];
    for (const ev of this.engine.drainFileEvents()) this.applyEvent(ev);
    for (const inode of this.inodes.values()) this.closeReadFd(inode);
  }

  private applyEvent(ev: FileEvent): void {
    switch (ev.kind) {
      case 'open':
        this.onOpen(ev.handle, ev.path, ev.pid, ev.readFd, ev.comm, ev.flags, ev.diskFd ?? -1);
        break;
      case 'release':
        // In ring order every record of this handle is already drained: its content is read
        // now, while the descriptor is open, and the file stops counting as open at once (so a
        // tick of 10,000 open-write-close cycles never holds 10,000 files).
        this.release(ev.handle);
        break;
      case 'rename':
        this.onRename(ev.from, ev.to);
        break;
      case 'unlink':
        this.onUnlink(ev.path);
        break;
      case 'truncate':
        this.onTruncate(ev.path, ev.size);
        break;
    }
  }

  private onOpen(handle: number, path: string, pid: number, readFd: number, comm: string | undefined, flags: number, diskFd: number): void {
    const writer = this.writerOf(pid, comm);
    const app = this.apps.get(writer.comm);
    app.lastWriter = writer;
    app.openCount++;
    let key = `path:${path}`;
    if (readFd < 0) readFd = this.openByPath(path);
    // A tiered file is known by its disk copy (the engine's identity for it), read from its RAM copy.
    const identityFd = diskFd >= 0 ? diskFd : readFd;
    if (identityFd >= 0) {
      try {
        const st = fstatSync(identityFd);
        key = `${st.dev}:${st.ino}`;
      } catch {
        closeQuietlySync(readFd);
        closeQuietlySync(diskFd);
        readFd = diskFd = -1;
      }
    }
    let inode = this.inodes.get(key);
    if (!inode) {
      if (this.inodes.size >= this.options.maxInodes) this.evictInode();
      const created: InodeState = new InodeState(key, path, this.files.get(path), (len, sev, type, format, kind) => this.onLine(created, len, sev, type, format, kind));
      inode = created;
      this.inodes.set(key, inode);
    } else if (inode.path !== path) {
      this.movePath(inode, path);
    } else if (this.files.peek(path) !== inode.stream) {
      // Its stream was evicted while the file was closed: it goes on in the stream at its path.
      this.movePath(inode, path);
    }
    this.byPath.set(path, inode);
    if (readFd >= 0) {
      if (inode.readFd < 0) inode.readFd = readFd;
      else closeQuietlySync(readFd);
    }
    if (diskFd >= 0) {
      if (inode.diskFd < 0) inode.diskFd = diskFd;
      else closeQuietlySync(diskFd);
    }
    inode.lastHandle = handle;
    if (inode.openHandles++ === 0) {
      inode.stream.openCount++;
      inode.wroteSinceOpen = false;
    }
    const readOnly = (flags & O_ACCMODE) === constants.O_RDONLY;
    // A copy writes its destination from the start, never with O_APPEND as loggers do: a log
    // shipper that tails one file of the mount and appends to its own log is no copier.
    const copy = !readOnly && !(flags & constants.O_APPEND) && ((pid > 0 && (this.readers.get(pid) ?? 0) > 0) || COPIERS.has(writer.comm));
    if (readOnly && pid > 0) this.readers.set(pid, (this.readers.get(pid) ?? 0) + 1);
    this.open.set(handle, { inode, app, pid, readOnly, copy, copied: false });
  }

  /**
   * The engine had no descriptor to give (its queue of undelivered ones was full, e.g. thousands
   * of files opened within one tick): open the file by its path now. It may have been renamed or
   * removed since; then its content goes unread (its bytes are still counted).
   */
  private openByPath(path: string): number {
    const fd = this.options.openBeneath?.(path) ?? -1;
    if (fd < 0) return -1;
    try {
      if (fstatSync(fd).isFile()) {
        this.readFdFallbacks++;
        return fd;
      }
    } catch {
      // fall through and close
    }
    closeQuietlySync(fd);
    return -1;
  }

  /**
   * /proc is read once per process per tick: a writer that opens ten thousand files in a tick
   * (open-append-close) costs one lookup, not thirty thousand file reads.
   */
  private writerOf(pid: number, comm: string | undefined): WriterInfo {
    if (pid <= 0) return UNKNOWN_WRITER;
    const cached = this.writers.get(pid);
    if (cached && (!comm || cached.comm === comm)) return cached;
    const info = readWriterInfo(pid, comm || undefined);
    this.writers.set(pid, info);
    return info;
  }

  private release(handle: number): void {
    const of = this.open.get(handle);
    if (!of) return;
    this.open.delete(handle);
    of.app.openCount--;
    if (of.readOnly && of.pid > 0) {
      const n = (this.readers.get(of.pid) ?? 1) - 1;
      if (n > 0) this.readers.set(of.pid, n);
      else this.readers.delete(of.pid);
    }
    const inode = of.inode;
    if (--inode.openHandles === 0) {
      // All of it, however much: the descriptor closes now.
      while (inode.tickEnd >= 0 && inode.readFd >= 0) this.readNewContent(inode);
      inode.stream.openCount--;
      this.closeReadFd(inode);
      this.hooks?.lastClose(inode, inode.wroteSinceOpen);
      this.letGoIfDone(inode);
    }
  }

  /** Tells the engine once nothing holds a descriptor on the file (no read fd, no reservation). */
  letGoIfDone(inode: InodeState): void {
    if (inode.readFd < 0 && inode.reservation === null && inode.openHandles === 0 && Number.isFinite(inode.ino)) {
      this.engine.consumerDone(inode.dev, inode.ino, inode.lastHandle);
    }
  }

  /** A rename moves open files to their new paths; the old path's stream goes idle. */
  private onRename(from: string, to: string): void {
    const replaced = this.byPath.get(to);
    if (replaced) this.byPath.delete(to);
    const prefix = from + '/';
    for (const inode of [...this.byPath.values()]) {
      if (inode.path === from) this.movePath(inode, to);
      else if (inode.path.startsWith(prefix)) this.movePath(inode, to + inode.path.slice(from.length));
      else continue;
      this.hooks?.fileMovedAway(inode);
    }
    if (replaced) this.hooks?.fileMovedAway(replaced);
  }

  private movePath(inode: InodeState, path: string): void {
    if (this.byPath.get(inode.path) === inode) this.byPath.delete(inode.path);
    if (inode.openHandles > 0) inode.stream.openCount--;
    inode.path = path;
    inode.stream = this.files.get(path);
    if (inode.openHandles > 0) inode.stream.openCount++;
    this.byPath.set(path, inode);
  }

  private onUnlink(path: string): void {
    const inode = this.byPath.get(path);
    if (!inode) return;
    this.byPath.delete(path);
    this.hooks?.fileMovedAway(inode);
  }

  /** Truncation (copytruncate, O_TRUNC): the partial line ends, reading restarts at the new size. */
  private onTruncate(path: string, size: number): void {
    const inode = this.byPath.get(path);
    if (!inode || inode.readOffset < 0 || size >= inode.readOffset) return;
    this.feedPending(inode);
    inode.content.flush();
    inode.readOffset = size;
    this.hooks?.truncated(inode);
  }

  private recordWrite(of: OpenFile | undefined, timeMs: number, offset: number, length: number): void {
    if (of?.copy) return this.recordCopy(of, length);
    this.totalWrites++;
    this.totalBytes += length;
    const app = of ? of.app : this.unknownApp;
    if (!of) this.unknownHandleRecords++;
    const inode = of ? of.inode : this.unknownInode;
    this.touch(inode.stream);
    this.touch(app);
    inode.stream.recordWrite(timeMs, length);
    inode.stream.lastApp = app.key;
    app.recordWrite(timeMs, length);
    if (!of) return;
    inode.wroteSinceOpen = true;
    inode.lastUseMs = timeMs;
    if (inode.readFd < 0) return;
    // Remember the segment so the lines it completes are credited to its application.
    if (inode.readOffset < 0) inode.readOffset = offset;
    const end = offset + length;
    if (end <= inode.readOffset) return;
    if (inode.tickEnd < 0) {
      this.touched.push(inode);
      // Once per tick: to the end of the Map, which keeps it in recency order for eviction.
      this.inodes.delete(inode.key);
      this.inodes.set(inode.key, inode);
    }
    if (end > inode.tickEnd) inode.tickEnd = end;
    const i = this.addSegment(offset, end, app, inode.stream);
    if (inode.segLast >= 0) this.segNext[inode.segLast] = i;
    else inode.segFirst = i;
    inode.segLast = i;
  }

  private recordCopy(of: OpenFile, length: number): void {
    this.copies.writes++;
    this.copies.bytes += length;
    if (!of.copied) this.copies.files++;
    of.copied = true;
    of.inode.stream.copiedBytes += length;
  }

  private addSegment(start: number, end: number, app: Stream, file: Stream): number {
    if (this.segCount === this.segStart.length) {
      const grow = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.segStart = grow(this.segStart, (n) => new Float64Array(n));
      this.segEnd = grow(this.segEnd, (n) => new Float64Array(n));
      this.segNext = grow(this.segNext, (n) => new Int32Array(n));
    }
    const i = this.segCount++;
    this.segStart[i] = start;
    this.segEnd[i] = end;
    this.segNext[i] = -1;
    this.segApp[i] = app;
    this.segFile[i] = file;
    return i;
  }

  /**
   * Reads [readOffset, furthest write end) of one file and feeds it to the line splitter, cut at
   * the write segments so each line is credited to the application whose write ended it. Bytes
   * not covered by a write record of this tick (records dropped by a full ring) are still read,
   * and credited to `unknown`.
   */
  private readNewContent(inode: InodeState): void {
    const end = Math.min(inode.tickEnd, inode.readOffset + this.options.maxReadPerTick);
    let seg = inode.segFirst;
    let pos = inode.readOffset;
    while (pos < end) {
      const want = Math.min(end - pos, this.ensureReadBuffer(end - pos));
      let got: number;
      try {
        got = this.readAt(inode, want, pos);
      } catch {
        this.readErrors++;
        got = 0;
      }
      if (got === 0) {
        // Truncated or shrunk since the write: those bytes are counted, their content is gone.
        inode.stream.unreadBytes += end - pos;
        pos = end;
        break;
      }
      let off = 0;
      while (off < got) {
        // Skip segments that end before the current position.
        while (seg >= 0 && this.segEnd[seg] <= pos + off) seg = this.segNext[seg];
        let cut = got;
        if (seg >= 0 && this.segStart[seg] <= pos + off) {
          this.lineApp = this.segApp[seg];
          this.lineFile = this.segFile[seg];
          cut = Math.min(got, this.segEnd[seg] - pos);
        } else {
          this.lineApp = this.unknownApp;
          this.lineFile = inode.stream;
          if (seg >= 0) cut = Math.min(got, this.segStart[seg] - pos);
        }
        inode.content.push(this.readBuffer, off, cut);
        off = cut;
      }
      pos += got;
    }
    inode.readOffset = pos;
    // More than one tick's worth: the rest is read next tick (its writers are forgotten by then,
    // so its lines are credited to `unknown`).
    if (pos >= inode.tickEnd) inode.tickEnd = -1;
    else this.carryOver.push(inode);
    inode.segFirst = inode.segLast = -1;
    this.lineApp = this.unknownApp;
  }

  /**
   * Reads [pos, pos + want) into the read buffer. A tiered file's bytes below its disk copy's
   * length come from the disk copy: the RAM copy gives its synced head back (punched, reading as
   * zeros). The sync publishes a longer disk copy before it punches, so if the disk copy grew
   * while the RAM copy was read, the part it grew over is read again from disk.
   */
  private readAt(inode: InodeState, want: number, pos: number): number {
    if (inode.diskFd < 0) return readSync(inode.readFd, this.readBuffer, 0, want, pos);
    const synced = fstatSync(inode.diskFd).size;
    let got = 0;
    if (pos < synced) {
      got = readSync(inode.diskFd, this.readBuffer, 0, Math.min(want, synced - pos), pos);
      if (got < Math.min(want, synced - pos)) return got;
    }
    if (got === want) return got;
    const fromRam = readSync(inode.readFd, this.readBuffer, got, want - got, pos + got);
    const after = fstatSync(inode.diskFd).size;
    const redo = Math.min(pos + got + fromRam, after) - (pos + got);
    if (after > synced && redo > 0) readSync(inode.diskFd, this.readBuffer, got, redo, pos + got);
    return got + fromRam;
  }

  /** Every line of a file passes here; a severe one marks the file for a sync. */
  private onLine(inode: InodeState, lengthBytes: number, severity: number, dataType: number, format: number, kind: number): void {
    this.countLine(lengthBytes, severity, dataType, format, kind);
    const syncOn = this.options.syncOn;
    if (syncOn !== null && severity <= syncOn && !inode.severe) {
      inode.severe = true;
      this.severe.push(inode);
    }
  }

  /** Files with a line at or above options.syncOn since the last call (each once). */
  takeSevere(): InodeState[] {
    const out = this.severe;
    this.severe = [];
    for (const inode of out) inode.severe = false;
    return out;
  }

  /** Anything written but not yet read is read before a truncation moves the offset. */
  private feedPending(inode: InodeState): void {
    if (inode.tickEnd >= 0) this.readNewContent(inode);
  }

  /** The read buffer grows to the largest tick's need (so a steady state allocates nothing). */
  private ensureReadBuffer(need: number): number {
    const cap = 4 * 1024 * 1024;
    if (need > this.readBuffer.length && this.readBuffer.length < cap) {
      this.readBuffer = Buffer.allocUnsafe(Math.min(cap, 1 << Math.ceil(Math.log2(need))));
    }
    return this.readBuffer.length;
  }

  private countLine(lengthBytes: number, severity: number, dataType: number, format: number, kind: number): void {
    this.totalLines++;
    this.levelTotals[severity]++;
    this.lineFile.recordLine(lengthBytes, severity, dataType, format, kind);
    this.lineApp.recordLine(lengthBytes, severity, dataType, format, kind);
  }

  private closeReadFd(inode: InodeState): void {
    if (inode.readFd >= 0) {
      closeQuietlySync(inode.readFd);
      inode.readFd = -1;
    }
    if (inode.diskFd >= 0) {
      closeQuietlySync(inode.diskFd);
      inode.diskFd = -1;
    }
  }

  /** The least recently written file that is not open (the Map's order is recency: see recordWrite). */
  private evictInode(): void {
    let victim: InodeState | null = null;
    for (const i of this.inodes.values()) {
      // Open files, and files the allocator holds space in, stay.
      if (i.openHandles === 0 && !i.reservation) {
        victim = i;
        break;
      }
    }
    if (!victim) return;
    victim.content.flush();
    this.hooks?.forgotten(victim);
    this.inodes.delete(victim.key);
    if (this.byPath.get(victim.path) === victim) this.byPath.delete(victim.path);
  }

  snapshot(): ProfileSnapshot {
    const now = monotonicMs();
    const files = [...this.files.values()].filter((s) => s.writes > 0 || s.copiedBytes > 0);
    const apps = [...this.apps.values()].filter((s) => s.writes > 0);
    return {
      totals: {
        writes: this.totalWrites, bytes: this.totalBytes, lines: this.totalLines, files: files.length, apps: apps.length,
        levels: named(this.levelTotals, SEVERITY_NAMES), copies: { ...this.copies },
      },
      droppedRecords: this.engine.ring.dropped,
      unknownHandleRecords: this.unknownHandleRecords,
      readFdFallbacks: this.readFdFallbacks,
      readErrors: this.readErrors,
      tables: {
        fileStreams: this.files.size, appStreams: this.apps.size, models: this.models.size, inodes: this.inodes.size,
        evictedStreams: this.files.evicted + this.apps.evicted, evictedModels: this.models.evictions,
        limits: { files: this.options.maxFileStreams, apps: this.options.maxAppStreams, models: this.options.maxModels, inodes: this.options.maxInodes },
      },
      rateWindowsSec: RATE_WINDOWS_SEC,
      files: files.map((f) => streamSnapshot(f, now)),
      apps: apps.map((a) => streamSnapshot(a, now)),
    };
  }
}

export interface ProfileSnapshot {
  totals: {
    writes: number; bytes: number; lines: number; files: number; apps: number;
    /** Lines by severity since the daemon started (monotonic: Prometheus counters come from here). */
    levels: Record<string, number>;
    /** Rotation copies: writes a process made while reading another file of the mount (see Profiler.copies). */
    copies: { writes: number; bytes: number; files: number };
  };
  droppedRecords: number;
  unknownHandleRecords: number;
  readFdFallbacks: number;
  readErrors: number;
  tables: {
    fileStreams: number; appStreams: number; models: number; inodes: number; evictedStreams: number; evictedModels: number;
    limits: { files: number; apps: number; models: number; inodes: number };
  };
  rateWindowsSec: number[];
  files: StreamSnapshot[];
  apps: StreamSnapshot[];
}
