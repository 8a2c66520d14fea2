import { fstatSync, readSync } from 'node:fs';
import type { InodeState } from './inode';
import type { Stream } from './stream';

const INITIAL_SEGMENTS = 4096;
/**
 * The most read between two looks at a tick's deadline: 64 KiB of short binary lines took up to
 * about 5 ms of CPU to split and classify, which a thread given a tenth of a CPU turns into 50 ms.
 */
const DEADLINE_PIECE = 64 * 1024;
/** Write segments kept for files whose reading a tick's deadline put off (about 3 MiB). */
const MAX_KEPT_SEGMENTS = 1 << 17;
const INITIAL_READ_BUFFER = 64 * 1024;
/** The read buffer grows no further: a larger tick's need is read in pieces of this size. */
const MAX_READ_BUFFER = 4 * 1024 * 1024;

/**
 * Reads what was written back from the backing files, once per tick (only bytes not read before),
 * and feeds it to each file's line splitter, cut at this tick's write segments so that each line
 * is credited to the application whose write ended it (`lineApp`, `lineFile` while it is fed).
 */
export class ReadBack {
  // This tick's write segments, pooled across ticks: a linked list per inode.
  private segStart = new Float64Array(INITIAL_SEGMENTS);
  private segEnd = new Float64Array(INITIAL_SEGMENTS);
  private segNext = new Int32Array(INITIAL_SEGMENTS);
  private segApp: Stream[] = [];
  private segFile: Stream[] = [];
  private segCount = 0;
  private readonly touched: InodeState[] = [];
  /** Files with more new content than one tick reads: read on the next tick. */
  private readonly carryOver: InodeState[] = [];
  private buffer = Buffer.allocUnsafe(INITIAL_READ_BUFFER);
  /** The application and file stream credited with lines completed by the bytes being fed. */
  lineApp: Stream;
  lineFile: Stream;
  readErrors = 0;

  constructor(private readonly unknownApp: Stream, unknownFile: Stream, private readonly maxReadPerTick: number) {
    this.lineApp = unknownApp;
    this.lineFile = unknownFile;
  }

  /**
   * A write of [offset, offset + length) by `app` into a file the profiler can read: remembered,
   * so the lines it completes are credited to `app`. True for the file's first write of the tick
   * that is not below what was read already.
   */
  noteWrite(inode: InodeState, offset: number, length: number, app: Stream): boolean {
    if (inode.readOffset < 0) inode.readOffset = offset;
    const end = offset + length;
    if (end <= inode.readOffset) return false;
    const first = inode.tickEnd < 0;
    if (first) this.touched.push(inode);
    if (end > inode.tickEnd) inode.tickEnd = end;
    const i = this.addSegment(offset, end, app, inode.stream);
    if (inode.segLast >= 0) this.segNext[inode.segLast] = i;
    else inode.segFirst = i;
    inode.segLast = i;
    return first;
  }

  /**
   * Bytes [from, end) found in the file without a write record (a full ring dropped them): read
   * too, their lines credited to `unknown`. True as noteWrite.
   */
  noteGrowth(inode: InodeState, from: number, end: number): boolean {
    if (inode.readOffset < 0) inode.readOffset = from;
    if (end <= inode.readOffset) return false;
    const first = inode.tickEnd < 0;
    if (first) this.touched.push(inode);
    if (end > inode.tickEnd) inode.tickEnd = end;
    return first;
  }

  /**
   * The tick's reading: every file written this tick (or carried over from the last one), until
   * `deadline` (performance.now() ms) passes; the files left are read next tick, with their write
   * segments (the pool is kept until no file holds any, or it grows past MAX_KEPT_SEGMENTS:
   * then their lines are credited to `unknown`, still to their own file).
   */
  readTouched(deadline = Infinity): void {
    let deferred = false;
    for (const inode of this.touched) {
      if (inode.tickEnd < 0) continue;
      if (performance.now() <= deadline) {
        if (this.read(inode, deadline)) deferred = true;
      } else {
        this.carryOver.push(inode);
        deferred = true;
      }
    }
    this.touched.length = 0;
    for (const inode of this.carryOver) this.touched.push(inode);
    this.carryOver.length = 0;
    if (deferred && this.segCount <= MAX_KEPT_SEGMENTS) return;
    for (const inode of this.touched) inode.segFirst = inode.segLast = -1;
    this.segCount = 0;
  }

  /**
   * A file's new content, however much, until `deadline` passes (at least one piece is read):
   * its descriptor is about to close. True when nothing is left to read.
   */
  readBefore(inode: InodeState, deadline = Infinity): boolean {
    while (inode.tickEnd >= 0 && inode.readFd >= 0) {
      if (this.read(inode, deadline) || performance.now() > deadline) break;
    }
    return inode.tickEnd < 0 || inode.readFd < 0;
  }

  /** Anything written but not yet read, before a truncation moves the offset. */
  readPending(inode: InodeState): void {
    if (inode.tickEnd >= 0) this.read(inode);
  }

  /**
   * Sizes the buffer for the bytes expected per tick, so the steady state reads into memory that
   * already exists (it otherwise grows on the first tick that needs more).
   */
  presize(bytesPerTick: number): void {
    this.ensureBuffer(Math.min(bytesPerTick, this.maxReadPerTick));
  }

  /** Bytes written and counted whose content is not read yet (more than a tick reads, or reads next tick). */
  get backlogBytes(): number {
    let n = 0;
    for (const inode of this.touched) if (inode.tickEnd > inode.readOffset) n += inode.tickEnd - inode.readOffset;
    return n;
  }

  get bufferBytes(): number {
    return this.buffer.length;
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
   * and credited to `unknown`. True when it stopped at `deadline` with bytes left (read next
   * tick, with the segments they need).
   */
  private read(inode: InodeState, deadline = Infinity): boolean {
    const end = Math.min(inode.tickEnd, inode.readOffset + this.maxReadPerTick);
    let seg = inode.segFirst;
    let pos = inode.readOffset;
    let stopped = false;
    while (pos < end) {
      if (pos > inode.readOffset && performance.now() > deadline) {
        stopped = true;
        break;
      }
      // With a deadline, in pieces small enough to look at it often.
      const piece = deadline === Infinity ? end - pos : Math.min(end - pos, DEADLINE_PIECE);
      const want = Math.min(piece, this.ensureBuffer(piece));
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
      // Ends where the bytes read do: past them the buffer (grown to the largest tick's need,
      // megabytes under a heavy writer) holds stale bytes, which the splitter's search for the
      // newline of an unfinished line ran through, to the end, once a piece (38% of the daemon's
      // time under fio with four jobs). A new view for each read, so that the splitter takes up
      // its last search only within one (see LineSplitter.push).
      const bytes = this.buffer.subarray(0, got);
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
        inode.content.push(bytes, off, cut);
        off = cut;
      }
      pos += got;
    }
    inode.readOffset = pos;
    // More than one tick's worth: the rest is read next tick (its writers are forgotten by then,
    // so its lines are credited to `unknown`).
    if (pos >= inode.tickEnd) inode.tickEnd = -1;
    else this.carryOver.push(inode);
    // Stopped by the deadline: the segments not read past yet are kept for the next tick.
    if (stopped && seg >= 0) inode.segFirst = seg;
    else inode.segFirst = inode.segLast = -1;
    this.lineApp = this.unknownApp;
    return stopped;
  }

  /**
   * Reads [pos, pos + want) into the buffer. A tiered file's bytes below its disk copy's length
   * come from the disk copy: the RAM copy gives its synced head back (punched, reading as zeros).
   * The sync publishes a longer disk copy before it punches, so if the disk copy grew while the
   * RAM copy was read, the part it grew over is read again from disk.
   */
  private readAt(inode: InodeState, want: number, pos: number): number {
    if (inode.diskFd < 0) return readSync(inode.readFd, this.buffer, 0, want, pos);
    const synced = fstatSync(inode.diskFd).size;
    let got = 0;
    if (pos < synced) {
      got = readSync(inode.diskFd, this.buffer, 0, Math.min(want, synced - pos), pos);
      if (got < Math.min(want, synced - pos)) return got;
    }
    if (got === want) return got;
    const fromRam = readSync(inode.readFd, this.buffer, got, want - got, pos + got);
    const after = fstatSync(inode.diskFd).size;
    const redo = Math.min(pos + got + fromRam, after) - (pos + got);
    if (after > synced && redo > 0) readSync(inode.diskFd, this.buffer, got, redo, pos + got);
    return got + fromRam;
  }

  /** The buffer grows to the largest tick's need (so a steady state allocates nothing). */
  private ensureBuffer(need: number): number {
    if (need > this.buffer.length && this.buffer.length < MAX_READ_BUFFER) {
      this.buffer = Buffer.allocUnsafe(Math.min(MAX_READ_BUFFER, 1 << Math.ceil(Math.log2(need))));
    }
    return this.buffer.length;
  }
}
