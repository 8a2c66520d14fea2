import { constants, fstatSync } from 'node:fs';
import { closeQuietlySync } from '../util/fd';
import type { Engine, FileEvent } from '../engine/engine';
import { CHECKPOINT_SCHEMA, fileState, restoreStream, savesState, streamState, type Checkpoint, type CheckpointParts, type GapTotals, type RingMark } from './checkpoint';
import { FileTable, type OpenFile } from './file-table';
import { InodeState } from './inode';
import { ModelPool } from './model-pool';
import { monotonicMs } from '../util/clock';
import { ReadBack } from './read-back';
import { profileSnapshot, type PreallocOf, type ProfileSnapshot, type SnapshotScope } from './snapshot';
import { SEVERITY_COUNT } from './severity';
import { Stream, StreamTable } from './stream';
import { readWriterInfo, UNKNOWN_WRITER, type WriterInfo } from './writer-info';
import type { WriteRecord } from '../ring/write-ring';

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
 * took effect in the profiler's tables. The allocator registers itself here, so that the profiler
 * asks it what it holds without knowing it.
 */
export interface ProfilerHooks {
  /**
   * Whether something is still held on the file known as `key` ("dev:ino"): a descriptor of the
   * allocator's own. Such a file is neither forgotten nor let go of (see Profiler.letGoIfDone).
   */
  holds(key: string): boolean;
  /** The file's name went away: rotated to another name, or unlinked. */
  fileMovedAway(inode: InodeState): void;
  /** The last descriptor open on the file closed; `wrote`: something was appended since it opened. */
  lastClose(inode: InodeState, wrote: boolean): void;
  /** The file shrank (truncation). */
  truncated(inode: InodeState): void;
  /** The profiler forgets the file (table full): nothing may keep a reference to it. */
  forgotten(inode: InodeState): void;
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
/**
 * Records drained between two looks at a tick's deadline: 1,024 records with their events took
 * up to 1.9 s of wall time under the overload benchmark, and 256 plain ones 1.5 ms, three
 * quarters of a refresh slice.
 */
const DRAIN_SLICE = 64;
/**
 * The same while file events come with the records: each open and close costs what a few
 * records do (an fstat, a read to the file's end, descriptors closed), and 64 records of
 * open-append-close writers made slices of 6-20 ms.
 */
const EVENT_DRAIN_SLICE = 8;
/** Ticks after records were last dropped during which a close's "it appended" may be unknown. */
const DROP_DOUBT_TICKS = 2;
/** How much earlier than a checkpoint's word a file unknown to it counts as made after (see resume). */
const BIRTH_MARGIN_MS = 1000;

/**
 * Drains the engine's write ring and file events on the refresh tick, off the data path, and
 * keeps per-file and per-application streams. Content is read back from the backing files (only
 * bytes not read before), split into lines and classified; each line is credited to the file's
 * stream and to the application whose write completed it. This class puts records and events in
 * their order and applies them; the files it knows are a FileTable, reading them back is ReadBack's.
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
  private ticksBegun = 0;
  private lastReclaimMs = 0;
  private readonly table: FileTable;
  private readonly readBack: ReadBack;
  private readonly unknownApp: Stream;
  private readonly unknownInode: InodeState;
  /** File events queued after the last record this tick drained: applied next tick, in order. */
  private laterEvents: FileEvent[] = [];
  /** Wall time just before the engine's file events were last taken. */
  private lastTakeWallMs = Date.now();
  /** See Checkpoint.filesKnownBeforeMs: the take before the oldest event taken and not applied. */
  private filesKnownBeforeMs = this.lastTakeWallMs;
  /** Open events that were waiting when records were found dropped (see readGrowth). */
  private readonly opensBeforeDropCheck = new WeakSet<FileEvent>();
  /** Files with a line at or above options.syncOn since takeSevere was last called. */
  private severe: InodeState[] = [];

  hooks: ProfilerHooks | null = null;
  totalWrites = 0;
  totalBytes = 0;
  totalLines = 0;
  /** Lines by severity since the start: only ever grow (the file table's sums shrink as it evicts). */
  readonly levelTotals = new Float64Array(SEVERITY_COUNT);
  /**
   * Writes a process made into one file while reading another of the mount (cp, gzip of a rotated
   * file, logrotate's copy), or by logrotate (copytruncate). Not application writes, so they are
   * counted here and not in the totals or in any stream but the copy's own `copiedBytes`.
   */
  readonly copies = { writes: 0, bytes: 0, files: 0 };
  unknownHandleRecords = 0;
  /** Files opened by path because the engine handed no read descriptor. */
  readFdFallbacks = 0;
  /** Bytes found in files past every write record (see Stream.unrecordedBytes). */
  unrecordedBytes = 0;
  /** The ring's drop count when the open files were last measured for growth (readGrowth). */
  private droppedChecked: number;
  /** The tick in which records were last seen dropped. */
  private dropSeenTick = -Infinity;
  /** The running tick's deadline (Infinity between ticks: a close applied then is read to its end). */
  private tickDeadline = Infinity;
  /** What no daemon saw (see Checkpoint): counted at each resume, read from the files. */
  readonly gap: GapTotals = { records: 0, bytes: 0, resumes: 0 };
  /** After resume: the files to catch up with on the next tick (see catchUpBegin). */
  private resuming: Resuming | null = null;
  /**
   * Descriptors kept only to read a file to its end: opened to read what was written while no
   * daemon looked, or kept past the file's last close because a tick's deadline came first.
   */
  private readonly catchingUp = new Set<InodeState>();
  private readonly options: ProfilerOptions;

  constructor(private readonly engine: Engine, options: Partial<ProfilerOptions> = {}) {
    this.options = { ...DEFAULT_PROFILER_OPTIONS, ...options };
    this.models = new ModelPool(this.options.maxModels, { windowMs: this.options.horizonMs });
    const dropModel = (s: Stream) => this.models.release(s);
    this.files = new StreamTable('file', this.options.maxFileStreams, dropModel);
    this.apps = new StreamTable('app', this.options.maxAppStreams, dropModel);
    this.unknownApp = this.apps.get(UNKNOWN_WRITER.comm);
    this.unknownApp.pinned = true;
    const unknownFile = this.files.get(UNKNOWN_FILE);
    unknownFile.pinned = true;
    this.unknownInode = new InodeState('unknown', UNKNOWN_FILE, unknownFile, () => undefined);
    this.table = new FileTable(this.files);
    this.readBack = new ReadBack(this.unknownApp, unknownFile, this.options.maxReadPerTick);
    this.droppedChecked = engine.ring.dropped;
  }

  /**
   * One refresh: write records in ring order with the file events placed among them (each event
   * knows the ring position it was queued at), then the new content, then the closes. Draining and
   * reading stop once `deadline` (performance.now() ms) has passed; false when work is left that
   * the next slice can do (records past the deadline, or past a record still being written).
   */
  tick(deadline = Infinity): boolean {
    this.ticksBegun++;
    const ring = this.engine.ring;
    const events = this.laterEvents;
    const carried = events.length;
    const tookBefore = this.lastTakeWallMs;
    this.laterEvents = [];
    // A write's open was announced before its record was claimed: events taken after the ring's
    // head reached `announcedTo` include the open of every record before it. Taking them again
    // (a round trip to the native engine) helps only a record claimed after that.
    let announcedTo = ring.head;
    this.takeEvents(events);
    let next = 0;
    /** Applies the events queued before ring position `pos` (events are in ring order); false if `until` passed first. */
    const applyUpTo = (pos: number, until = Infinity): boolean => {
      while (next < events.length && ((events[next].ringPos - pos) | 0) <= 0) {
        this.applyEvent(events[next++]);
        if (until !== Infinity && (next & 7) === 0 && performance.now() > until) return false;
      }
      return true;
    };
    const resuming = this.resuming;
    // A resume's first tick is whole: it tells the bytes written while no daemon looked from
    // the first records after the attach, all of which it must see.
    if (resuming) deadline = Infinity;
    this.tickDeadline = deadline;
    if (resuming) {
      // The opens the engine announced at the attach come first, then the files are measured
      // (catchUpBegin) before any record after the attach is counted.
      applyUpTo(ring.tail);
      this.catchUpBegin(resuming);
    }
    // Bounded by what was there when the tick began: writers that outpace the drain cannot keep
    // the tick from ending.
    const visit = (r: WriteRecord) => {
      applyUpTo(r.pos);
      let of = this.table.handle(r.handle);
      if (!of && ((r.pos - announcedTo) | 0) >= 0) {
        // The open was queued after this tick's events were taken (files opened, written and
        // closed while the tick runs): take the events again.
        announcedTo = ring.head;
        this.takeEvents(events);
        applyUpTo(r.pos);
        of = this.table.handle(r.handle);
      }
      if (resuming && of) resuming.firstWrite(of.inode, r.offset);
      this.recordWrite(of, r.timeMs, r.offset, r.length);
    };
    // In slices, so that a tick can end at `deadline` (the rest waits in the ring). A drain that
    // stops short of its slice met a record still being written: the refresh goes on at once
    // while that drains something (a busy writer is followed closely, not once a period), and
    // waits for its next period once a tick drained nothing, or it would spin on a slot whose
    // writer does not go on.
    const pending = ring.pending;
    let left = pending;
    while (left > 0) {
      const slice = Math.min(left, next < events.length ? EVENT_DRAIN_SLICE : DRAIN_SLICE);
      const n = ring.drain(visit, slice);
      left -= n;
      if (n < slice || performance.now() > deadline) break;
    }
    const cut = left > 0 && left < pending;
    if (resuming) this.catchUpEnd(resuming);
    // Events up to where the drain stopped take effect now, as long as the deadline allows (the
    // rest go first next time); later ones (taken while draining) wait for the records before
    // them, which the next tick drains.
    const applied = applyUpTo(ring.tail, deadline);
    this.laterEvents = events.slice(next);
    this.readGrowth();
    // Events taken in this tick were queued after the take before it began.
    if (this.laterEvents.length === 0) this.filesKnownBeforeMs = this.lastTakeWallMs;
    else if (next >= carried) this.filesKnownBeforeMs = tookBefore;
    this.readBack.readTouched(deadline);
    if (this.catchingUp.size > 0) this.closeCaughtUp(deadline);
    this.tickDeadline = Infinity;
    this.endTick(monotonicMs(), deadline);
    return !cut && applied && performance.now() <= deadline;
  }

  /**
   * Everything the profiler counted, as of the end of the last tick, with the ring position it
   * is consistent with (see Checkpoint).
   */
  checkpoint(enginePid: number, ring: RingMark, atWallMs = Date.now()): Checkpoint {
    const parts = this.checkpointParts(enginePid, ring, atWallMs);
    return { ...parts.head, files: parts.files.map(streamState), apps: parts.apps.map(streamState), inodes: parts.inodes.map(fileState) };
  }

  /**
   * What a checkpoint holds: its totals, and the streams and files whose states it lists, for a
   * writer that makes those states a few at a time (CheckpointWriter); consistent while `ticks`
   * stays the same.
   */
  checkpointParts(enginePid: number, ring: RingMark, atWallMs = Date.now()): CheckpointParts {
    return {
      head: {
        schema: CHECKPOINT_SCHEMA, enginePid, atWallMs, filesKnownBeforeMs: Math.min(this.filesKnownBeforeMs, atWallMs), ring,
        totals: {
          writes: this.totalWrites, bytes: this.totalBytes, lines: this.totalLines, levels: [...this.levelTotals],
          copies: { ...this.copies }, unknownHandleRecords: this.unknownHandleRecords, readFdFallbacks: this.readFdFallbacks,
          unrecordedBytes: this.unrecordedBytes, gap: { ...this.gap },
        },
      },
      files: [...this.files.values()].filter((s) => !s.pinned && (s.writes > 0 || s.bytes > 0 || s.copiedBytes > 0)),
      apps: [...this.apps.values()].filter((s) => !s.pinned && (s.writes > 0 || s.bytes > 0)),
      inodes: [...this.table.values()].filter(savesState),
    };
  }

  /** Ticks begun so far: the counts change only in a tick (one that throws midway included). */
  get ticks(): number {
    return this.ticksBegun;
  }

  /**
   * Takes over from the daemon that wrote `cp` (this one attached to the same engine): its counts
   * go on, and on the next tick every file it knew is read from where it left off, so that the
   * lines and bytes written meanwhile are counted from the files; `missed` write records are the
   * gap. `locate` opens a file the engine did not announce open (by its last known path, or by
   * looking for its identity): a read-only descriptor, or -1. `madeAfter` opens the files made
   * after a wall time (read-only, with their paths from the mount's root): those the checkpoint
   * does not know are read from their start, open or not.
   */
  resume(cp: Checkpoint, missed: number, locate: LocateFile, madeAfter?: FilesMadeAfter): void {
    const t = cp.totals;
    this.totalWrites = t.writes;
    this.totalBytes = t.bytes;
    this.totalLines = t.lines;
    t.levels.forEach((n, i) => (this.levelTotals[i] = n));
    Object.assign(this.copies, t.copies);
    this.unknownHandleRecords = t.unknownHandleRecords;
    this.readFdFallbacks = t.readFdFallbacks;
    this.unrecordedBytes = t.unrecordedBytes ?? 0;
    Object.assign(this.gap, t.gap);
    this.noteGap(missed);
    this.gap.resumes++;
    for (const st of cp.files) restoreStream(this.files.get(st.key), st);
    for (const st of cp.apps) restoreStream(this.apps.get(st.key), st);
    const restored = new Set<InodeState>();
    for (const f of cp.inodes) {
      const inode = this.table.place(f.key, f.path, () => this.newInode(f.key, f.path));
      if (f.copy) {
        // known, so that no walk takes it for a file made meanwhile; never read
        inode.copied = true;
        continue;
      }
      inode.readOffset = f.readOffset;
      inode.writtenTo = f.writtenTo;
      restored.add(inode);
    }
    // Birth times are taken from a coarse clock, and a file is made a moment before its open is
    // queued: a margin keeps a file made just before a take, and told of just after, from being
    // taken for one the checkpoint's writer knew. A file it did know is in `restored` anyway.
    const knownBefore = (cp.filesKnownBeforeMs ?? cp.atWallMs) - BIRTH_MARGIN_MS;
    this.resuming = new Resuming(restored, new Set(cp.inodes.map((f) => f.key)), knownBefore, locate, madeAfter);
  }

  /**
   * A full ring drops records, never writes: once it has dropped any since the last look, every
   * open file is measured and what it holds past its last record is counted and read, so that
   * lines, bytes and levels stay exact; only who wrote those bytes, and in how many writes, is
   * lost. Every dropped record's write had landed before the drop was counted, so measuring after
   * reading the count misses none. A file whose open event is not applied yet (still with the
   * engine, or waiting for its place among the records) cannot be measured now: its events are
   * taken, and its open, once applied, marks it to be measured at its close.
   */
  private readGrowth(): void {
    const dropped = this.engine.ring.dropped;
    if (dropped === this.droppedChecked) return;
    this.droppedChecked = dropped;
    this.dropSeenTick = this.tickNo;
    this.takeEventsForLater();
    for (const ev of this.laterEvents) if (ev.kind === 'open') this.opensBeforeDropCheck.add(ev);
    for (const inode of this.table.values()) if (inode.openHandles > 0) this.countGrowth(inode);
  }

  private countGrowth(inode: InodeState): void {
    if (inode.readFd < 0 || inode.copyHandles > 0) return;
    let size: number;
    try {
      size = fstatSync(inode.readFd).size;
    } catch {
      return;
    }
    const from = inode.writtenTo >= 0 ? inode.writtenTo : inode.sizeAtOpen;
    if (from < 0 || size <= from) return;
    const bytes = size - from;
    // It grew while open: appended to, as a record would have said (a writer that opens,
    // appends and closes keeps its reservation).
    inode.wroteSinceOpen = true;
    inode.stream.bytes += bytes;
    inode.stream.unrecordedBytes += bytes;
    this.unknownApp.bytes += bytes;
    this.unknownApp.unrecordedBytes += bytes;
    this.totalBytes += bytes;
    this.unrecordedBytes += bytes;
    if (inode.grownTo !== from) inode.grownFrom = from;
    inode.grownTo = size;
    inode.writtenTo = size;
    if (this.readBack.noteGrowth(inode, from, size)) this.table.promote(inode);
  }

  /**
   * A record that arrives for bytes counted from the file's growth (it was still in the ring when
   * the file was measured) takes them over from `unknown`; they were counted once already.
   */
  private claimGrowth(inode: InodeState, offset: number, end: number): void {
    if (end <= inode.grownFrom || offset >= inode.grownTo) return;
    const taken = Math.min(end, inode.grownTo) - Math.max(offset, inode.grownFrom);
    if (offset <= inode.grownFrom) inode.grownFrom = Math.min(end, inode.grownTo);
    if (inode.grownFrom >= inode.grownTo) inode.grownFrom = inode.grownTo = -1;
    inode.stream.bytes -= taken;
    inode.stream.unrecordedBytes -= taken;
    this.unknownApp.bytes -= taken;
    this.unknownApp.unrecordedBytes -= taken;
    this.totalBytes -= taken;
    this.unrecordedBytes -= taken;
  }

  /** Write records that no daemon read (see GapTotals). */
  noteGap(records: number): void {
    this.gap.records += records;
  }

  /**
   * The first tick after resume, once the engine's opens are in: every file to catch up with
   * gets a descriptor and is measured. A file created after the checkpoint (an open one the
   * checkpoint does not know) is read from its start.
   */
  private catchUpBegin(r: Resuming): void {
    for (const inode of this.table.values()) {
      if (!r.restored.has(inode) && inode.openHandles > 0 && inode.readFd >= 0 && inode.readOffset < 0 && r.bornAfter(inode.readFd)) {
        inode.readOffset = inode.writtenTo = 0;
        r.restored.add(inode);
      }
    }
    // Descriptors first: a file being read is never evicted to make room for one found below.
    for (const inode of r.restored) {
      if (inode.readFd < 0 && Number.isFinite(inode.ino)) {
        inode.readFd = r.locate(inode.dev, inode.ino, inode.path);
        if (inode.readFd >= 0) r.opened.add(inode);
      }
    }
    // Made, written and closed while no daemon looked (or before the checkpoint's writer was told):
    // at most a table's worth, each holding a descriptor until read. One the checkpoint lists
    // was counted, even if the table has let it go since.
    for (const { path, fd } of r.madeAfter?.(r.knownBeforeMs, this.options.maxInodes) ?? []) {
      let key: string;
      try {
        const st = fstatSync(fd);
        key = `${st.dev}:${st.ino}`;
      } catch {
        closeQuietlySync(fd);
        continue;
      }
      if (r.listed.has(key) || this.table.get(key)) {
        closeQuietlySync(fd);
        continue;
      }
      const inode = this.table.place(key, path, () => this.newInode(key, path));
      inode.readFd = fd;
      inode.sizeAtOpen = inode.readOffset = inode.writtenTo = 0;
      r.restored.add(inode);
      r.opened.add(inode);
    }
    for (const inode of r.restored) {
      if (inode.readFd < 0) continue;
      let size: number;
      try {
        size = fstatSync(inode.readFd).size;
      } catch {
        continue;
      }
      if (size < inode.readOffset) {
        // cut short while no daemon looked (copytruncate): what is there now came after
        inode.content.flush();
        inode.readOffset = inode.writtenTo = 0;
      }
      // bytes below writtenTo are counted already; lines below readOffset too
      r.measured.set(inode, { size, from: Math.max(inode.writtenTo, 0) });
      const app = this.apps.peek(inode.stream.lastApp ?? '') ?? this.unknownApp;
      if (size > inode.readOffset && this.readBack.noteWrite(inode, inode.readOffset, size - inode.readOffset, app)) this.table.promote(inode);
    }
  }

  /** After the first tick's records: the bytes written while no daemon looked are counted. */
  private catchUpEnd(r: Resuming): void {
    for (const [inode, { size, from }] of r.measured) {
      // Writes recorded after the attach are counted by their records: the gap ends at the first.
      const to = Math.min(size, r.firstWrites.get(inode) ?? size);
      const bytes = to - from;
      if (bytes <= 0) continue;
      // counted: the next checkpoint must say so, or a file not written again is counted twice
      inode.writtenTo = Math.max(inode.writtenTo, to);
      inode.stream.bytes += bytes;
      const app = this.apps.peek(inode.stream.lastApp ?? '');
      if (app) app.bytes += bytes;
      this.totalBytes += bytes;
      this.gap.bytes += bytes;
    }
    for (const inode of r.opened) this.catchingUp.add(inode);
    this.resuming = null;
  }

  /**
   * Descriptors kept only to read a file are closed once it is read to its end; a tick without a
   * deadline (a file removed, the daemon stopping) reads each closed file to its end first.
   */
  private closeCaughtUp(deadline: number): void {
    for (const inode of this.catchingUp) {
      const readToEnd = deadline === Infinity && inode.openHandles === 0 && this.readBack.readBefore(inode);
      if (inode.tickEnd >= 0 && !readToEnd) continue;
      this.catchingUp.delete(inode);
      if (inode.openHandles > 0) continue;
      this.closeReadFd(inode);
      this.letGoIfDone(inode);
    }
  }

  private newInode(key: string, path: string): InodeState {
    if (this.table.size >= this.options.maxInodes) this.evictInode();
    const created: InodeState = new InodeState(key, path, this.files.get(path), (len, sev, type, format, kind) => this.onLine(created, len, sev, type, format, kind));
    return created;
  }

  /**
   * Models of streams that saw events end their tick; idle streams cost nothing. Those the
   * deadline leaves out catch up when next fed or asked (the shadow asks once their slot closed).
   */
  private endTick(nowMs: number, deadline = Infinity): void {
    const dirty = this.dirty;
    for (let i = 0; i < dirty.length; i++) {
      dirty[i].model?.endTick(nowMs);
      if ((i & 63) === 63 && performance.now() > deadline) break;
    }
    dirty.length = 0;
    this.writers.clear();
    this.tickNo++;
    if (nowMs - this.lastReclaimMs > 5000) {
      this.models.reclaimDormant(nowMs);
      this.lastReclaimMs = nowMs;
    }
  }

  /** Marks a stream as active this tick (a write at `timeMs`), giving it a model when it earns one. */
  private touch(s: Stream, timeMs: number): void {
    if (s.tickSeen === this.tickNo) return;
    s.tickSeen = this.tickNo;
    s.activeTicks++;
    (s.kind === 'file' ? this.files : this.apps).promote(s);
    this.dirty.push(s);
    // A model (about 20 KiB) is earned by writing in a second tick: a file written once, or a
    // burst of ten thousand new files, costs counters only, never a model apiece.
    if (s.activeTicks >= MODEL_AFTER_TICKS) this.models.acquire(s, timeMs);
  }

  /**
   * Whether the profiler (or the allocator, through the profiler's files) may hold a descriptor
   * on the backing file (dev, ino): an open event not applied yet that carries one (whichever
   * file it is), or a read descriptor or a reservation on it. Takes the engine's queued events,
   * keeping their order.
   */
  mayHold(dev: number, ino: number): boolean {
    this.takeEventsForLater();
    if (this.laterEvents.some((ev) => ev.kind === 'open' && (ev.readFd >= 0 || (ev.diskFd ?? -1) >= 0))) return true;
    const inode = this.table.get(`${dev}:${ino}`);
    return inode !== undefined && (inode.readFd >= 0 || inode.diskFd >= 0 || this.heldElsewhere(inode));
  }

  /** The engine's queued events, after those waiting already: applied in order by the next tick. */
  private takeEventsForLater(): void {
    this.takeEvents(this.laterEvents);
  }

  private takeEvents(into: FileEvent[]): void {
    this.lastTakeWallMs = Date.now();
    for (const ev of this.engine.drainFileEvents()) into.push(ev);
  }

  /** Files the profiler holds state for (open now, or recently). */
  knownInodes(): IterableIterator<InodeState> {
    return this.table.values();
  }

  /** See ReadBack.presize. */
  presizeReadBuffer(bytesPerTick: number): void {
    this.readBack.presize(bytesPerTick);
  }

  get readBufferBytes(): number {
    return this.readBack.bufferBytes;
  }

  get readErrors(): number {
    return this.readBack.readErrors;
  }

  /** What the profiler has yet to take in: records waiting in the ring, bytes waiting to be read. */
  get backlog(): { records: number; bytes: number } {
    return { records: this.engine.ring.pending, bytes: this.readBack.backlogBytes };
  }

  close(): void {
    for (const ev of this.laterEvents) this.applyEvent(ev);
    this.laterEvents = [];
    for (const ev of this.engine.drainFileEvents()) this.applyEvent(ev);
    for (const inode of this.table.values()) this.closeReadFd(inode);
  }

  /** What the hooks' owner (the allocator) still holds on the file. */
  private heldElsewhere(inode: InodeState): boolean {
    return this.hooks?.holds(inode.key) ?? false;
  }

  private applyEvent(ev: FileEvent): void {
    switch (ev.kind) {
      case 'open':
        this.onOpen(ev.handle, ev.path, ev.pid, ev.readFd, ev.comm, ev.flags, ev.diskFd ?? -1, ev.created, ev.size ?? -1);
        if (this.opensBeforeDropCheck.has(ev)) {
          const of = this.table.handle(ev.handle);
          if (of) of.inode.measureAtClose = true;
        }
        break;
      case 'release':
        // In ring order every record of this handle is already drained: its content is read
        // now (up to the tick's deadline), and the file stops counting as open at once (so a
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

  private onOpen(handle: number, path: string, pid: number, readFd: number, comm: string | undefined, flags: number, diskFd: number, created: boolean, openSize: number): void {
    const writer = this.writerOf(pid, comm);
    const app = this.apps.get(writer.comm);
    app.lastWriter = writer;
    app.openCount++;
    let key = `path:${path}`;
    let size = -1;
    if (readFd < 0) readFd = this.openByPath(path);
    // A tiered file is known by its disk copy (the engine's identity for it), read from its RAM copy.
    const identityFd = diskFd >= 0 ? diskFd : readFd;
    if (identityFd >= 0) {
      try {
        const st = fstatSync(identityFd);
        key = `${st.dev}:${st.ino}`;
        size = identityFd === readFd ? st.size : fstatSync(readFd).size;
      } catch {
        closeQuietlySync(readFd);
        closeQuietlySync(diskFd);
        readFd = diskFd = -1;
      }
    }
    const inode = this.table.place(key, path, () => this.newInode(key, path));
    // Where counting from the file's growth may begin, should its first records be dropped; the
    // engine's word where it gives one (measured now, the size may include writes already landed).
    if (inode.sizeAtOpen < 0) inode.sizeAtOpen = created ? 0 : openSize >= 0 ? openSize : size;
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
    const copy = !readOnly && !(flags & constants.O_APPEND) && (this.table.reading(pid) || COPIERS.has(writer.comm));
    if (copy) inode.copyHandles++;
    this.table.addHandle(handle, { inode, app, pid, readOnly, copy, copied: false });
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
    const of = this.table.removeHandle(handle);
    if (!of) return;
    of.app.openCount--;
    const inode = of.inode;
    if (of.copy) inode.copyHandles--;
    if (--inode.openHandles === 0) {
      // The file's last records may be among those dropped: it is measured while still readable.
      if (this.engine.ring.dropped !== this.droppedChecked || inode.measureAtClose) {
        this.countGrowth(inode);
        this.dropSeenTick = this.tickNo;
      }
      inode.measureAtClose = false;
      inode.stream.openCount--;
      // Its content is read while the descriptor is open; what the tick's deadline leaves is
      // read on the next slices, and the descriptor closed then.
      if (this.readBack.readBefore(inode, this.tickDeadline)) this.closeReadFd(inode);
      else this.catchingUp.add(inode);
      // While records are being dropped, a close may follow appends that neither a record nor
      // the file's growth (measured at an earlier close, or mid-tick) shows: it counts as one
      // that appended, and a reservation it kept goes at the end of its lifetime instead.
      this.hooks?.lastClose(inode, inode.wroteSinceOpen || this.tickNo - this.dropSeenTick <= DROP_DOUBT_TICKS);
      this.letGoIfDone(inode);
    }
  }

  /**
   * Tells the engine once nothing holds a descriptor on the file (no read fd, nothing the hooks'
   * owner holds). The allocator calls it again when it lets go of its own.
   */
  letGoIfDone(inode: InodeState): void {
    if (inode.readFd < 0 && !this.heldElsewhere(inode) && inode.openHandles === 0 && Number.isFinite(inode.ino)) {
      this.engine.consumerDone(inode.dev, inode.ino, inode.lastHandle);
    }
  }

  /** A rename moves open files to their new paths; the old path's stream goes idle. */
  private onRename(from: string, to: string): void {
    for (const inode of this.table.rename(from, to)) this.hooks?.fileMovedAway(inode);
  }

  private onUnlink(path: string): void {
    const inode = this.table.unlink(path);
    if (inode) this.hooks?.fileMovedAway(inode);
  }

  /** Truncation (copytruncate, O_TRUNC): the partial line ends, reading restarts at the new size. */
  private onTruncate(path: string, size: number): void {
    const inode = this.table.atPath(path);
    if (!inode) return;
    // Bytes past the new end are gone: growth, and the allocator's idea of the size, start here.
    if (inode.writtenTo > size) inode.writtenTo = size;
    if (inode.readOffset < 0 || size >= inode.readOffset) return;
    this.readBack.readPending(inode);
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
    this.touch(inode.stream, timeMs);
    this.touch(app, timeMs);
    inode.stream.recordWrite(timeMs, length);
    inode.stream.lastApp = app.key;
    app.recordWrite(timeMs, length);
    if (!of) return;
    this.claimGrowth(inode, offset, offset + length);
    inode.wroteSinceOpen = true;
    inode.lastUseMs = timeMs;
    if (offset + length > inode.writtenTo) inode.writtenTo = offset + length;
    if (inode.readFd < 0) return;
    // Once per tick, the file moves up the table's recency order (the order of eviction).
    if (this.readBack.noteWrite(inode, offset, length, app)) this.table.promote(inode);
  }

  private recordCopy(of: OpenFile, length: number): void {
    this.copies.writes++;
    this.copies.bytes += length;
    if (!of.copied) this.copies.files++;
    of.copied = true;
    of.inode.copied = true;
    of.inode.stream.copiedBytes += length;
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

  private countLine(lengthBytes: number, severity: number, dataType: number, format: number, kind: number): void {
    this.totalLines++;
    this.levelTotals[severity]++;
    this.readBack.lineFile.recordLine(lengthBytes, severity, dataType, format, kind);
    this.readBack.lineApp.recordLine(lengthBytes, severity, dataType, format, kind);
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

  /** The least recently written file that is not open, nor held by the hooks' owner, is forgotten. */
  private evictInode(): void {
    // Not a file still being read (see catchingUp): it is forgotten once read and closed.
    const victim = this.table.leastRecent((i) => i.openHandles === 0 && i.readFd < 0 && !this.heldElsewhere(i));
    if (!victim) return;
    victim.content.flush();
    this.hooks?.forgotten(victim);
    this.table.forget(victim);
  }

  /** Each file stream's pre-allocation comes from `preallocOf` (the allocator's, when there is one). */
  snapshot(preallocOf?: PreallocOf, scope?: SnapshotScope): ProfileSnapshot {
    return profileSnapshot(this, monotonicMs(), preallocOf, scope);
  }

  get droppedRecords(): number {
    return this.engine.ring.dropped;
  }

  get knownFiles(): number {
    return this.table.size;
  }

  get limits(): { files: number; apps: number; models: number; inodes: number } {
    const o = this.options;
    return { files: o.maxFileStreams, apps: o.maxAppStreams, models: o.maxModels, inodes: o.maxInodes };
  }
}

/** Opens a file by its identity, last seen at `path`: a read-only descriptor, or -1. */
export type LocateFile = (dev: number, ino: number, path: string) => number;
/** Opens, read-only, up to `max` of the files made after `wallMs` (paths from the mount's root). */
export type FilesMadeAfter = (wallMs: number, max: number) => Array<{ path: string; fd: number }>;

/** The state of a resume until its first tick is over (Profiler.resume). */
class Resuming {
  /** Files opened here to catch up with (closed after). */
  readonly opened = new Set<InodeState>();
  /** Each file's size when measured, before any record after the attach was counted, and
   * where its counted bytes ended. */
  readonly measured = new Map<InodeState, { size: number; from: number }>();
  /** The offset of each file's first write recorded after the attach. */
  readonly firstWrites = new Map<InodeState, number>();

  constructor(
    readonly restored: Set<InodeState>,
    /** The keys of the files the checkpoint lists. */
    readonly listed: ReadonlySet<string>,
    /** Files made since were unknown to the checkpoint's writer, unless restored. */
    readonly knownBeforeMs: number,
    readonly locate: LocateFile,
    readonly madeAfter: FilesMadeAfter | undefined,
  ) {}

  firstWrite(inode: InodeState, offset: number): void {
    if (this.measured.has(inode) && !this.firstWrites.has(inode)) this.firstWrites.set(inode, offset);
  }

  /** Whether the file was made after knownBeforeMs (where the filesystem keeps birth times). */
  bornAfter(fd: number): boolean {
    try {
      const born = fstatSync(fd).birthtimeMs;
      return born > 0 && born > this.knownBeforeMs;
    } catch {
      return false;
    }
  }
}
