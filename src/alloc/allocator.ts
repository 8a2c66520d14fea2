import { constants, fstatSync, openSync } from 'node:fs';
import type { Logger } from '../util/logger';
import type { Engine } from '../engine/engine';
import type { InodeState } from '../profile/inode';
import type { Profiler, ProfilerHooks } from '../profile/profiler';
import type { Stream } from '../profile/stream';
import type { FilesystemShadow } from '../shadow/shadow-log';
import { errnoOf } from '../util/errno';
import { closeQuietlySync } from '../util/fd';
import { AllocCounters } from './counters';
import { PAGE, pageDown, pageUp } from './ladder';
import type { NativeAlloc } from '../engine/native/alloc-addon';
import type { AllocationPolicy } from './policy';
import { HIGH_CONFIDENCE } from './policies/forecast';
import { Reservation } from './reservation';
import { throttleForFreeSpace } from './throttle';

export interface AllocatorOptions {
  policy: AllocationPolicy;
  /** Most bytes reserved ahead of all files together. */
  budgetBytes: number;
  /** A reservation not written into for this long is released. */
  lifetimeMs: number;
  horizonMs: number;
  refreshMs: number;
  /**
   * Give every reservation back at its file's last close. A tiered mount's RAM copy of a closed
   * file goes at its next sync, and a reservation in it would only hold RAM nobody can use.
   */
  releaseAtLastClose: boolean;
}

const EBUSY = errnoOf('EBUSY');

/** A reservation, and the profiler's file it is on. */
interface Held {
  inode: InodeState;
  res: Reservation;
}

/**
 * Turns each file stream's forecast into space reserved ahead of its end of file: the policy
 * says how much, free space throttles it (XFS's rule), the global budget caps it, and anything
 * unused is given back: after a lifetime without writes, when the forecast falls, when the file
 * is rotated away, unlinked or truncated, when a writer closes it without appending, and all of
 * it on unmount.
 *
 * Giving back is a hole punched past the end of file, and a punch zeroes whatever it covers: if
 * an append landed there between measuring the size and punching, log data would be lost. So
 * space is given back only through Engine.punchIfIdle, which punches only while no handle can
 * write the file and keeps new writers out meanwhile. A reservation whose file a writer keeps
 * open is held (counted against the budget) until that writer closes it, or until unmount.
 */
export class Allocator implements ProfilerHooks {
  readonly totals = new AllocCounters();
  /** Reservations by the file's identity ("dev:ino", InodeState.key). */
  private readonly held = new Map<string, Held>();
  /**
   * Per file stream: what the allocator did for it (made when first needed), and the bytes of it
   * already accounted for. Weak: a stream the profiler evicts takes its counters with it.
   */
  private readonly streamCounters = new WeakMap<Stream, AllocCounters>();
  private readonly seenBytes = new WeakMap<Stream, number>();
  /** The files a pass cut by its deadline has still to size. */
  private sizing: IterableIterator<InodeState> | null = null;
  /** The origin of the forecast each file's reservation was last sized for. */
  private readonly adjustedAt = new WeakMap<InodeState, number>();
  private reservedAhead = 0;

  constructor(
    private readonly profiler: Profiler,
    private readonly engine: Engine,
    private readonly alloc: NativeAlloc,
    private readonly options: AllocatorOptions,
    private readonly logger: Logger,
  ) {
    profiler.hooks = this;
  }

  get budgetBytes(): number {
    return this.options.budgetBytes;
  }

  /** Bytes currently reserved ahead of files (counted against the budget). */
  get aheadBytes(): number {
    return this.reservedAhead;
  }

  get reservations(): number {
    return this.held.size;
  }

  /** Reservations waiting for their file's writers to close before they can be given back. */
  get releasing(): number {
    let n = 0;
    for (const { res } of this.held.values()) if (res.releasing) n++;
    return n;
  }

  /** What the allocator did for a file stream; undefined before it did anything. */
  countersFor(stream: Stream): AllocCounters | undefined {
    return this.streamCounters.get(stream);
  }

  /**
   * One pass: growth and hits, then each file's reservation sized to its forecast. The sizing
   * stops at `deadline` (performance.now() ms) and goes on from there at the next call (the first
   * forecasts of a thousand files meant a thousand fallocates: 10 ms); true once the pass is done.
   */
  tick(nowMs: number, fs: FilesystemShadow, deadline = Infinity): boolean {
    this.sizing ??= this.beginPass(nowMs);
    const freeShare = fs.sizeBytes > 0 ? fs.freeBytes / fs.sizeBytes : 1;
    for (let it = this.sizing.next(); !it.done; it = this.sizing.next()) {
      if (this.size(it.value, nowMs, freeShare) && performance.now() > deadline) return false;
    }
    this.sizing = null;
    return true;
  }

  /** Accounts every reservation and stream; returns the files to size. */
  private beginPass(nowMs: number): IterableIterator<InodeState> {
    let ahead = 0;
    // Account first (growth, hits), so the budget below sees every file's current state.
    for (const { inode, res } of [...this.held.values()]) ahead += this.account(inode, res, nowMs);
    this.reservedAhead = ahead;
    // Every byte a confident stream wrote counts, reserved or not: the hit ratio may not
    // flatter itself by forgetting the writes that found no reservation.
    let perTick = 0;
    for (const s of this.profiler.models.streams()) {
      if (s.kind !== 'file') continue;
      const grew = s.bytes - (this.seenBytes.get(s) ?? 0);
      this.seenBytes.set(s, s.bytes);
      if (grew > 0 && (s.forecast?.confidence ?? 0) >= HIGH_CONFIDENCE) {
        this.countersOf(s).confidentWatchedBytes += grew;
        this.totals.confidentWatchedBytes += grew;
      }
      if (s.forecast) perTick += (s.forecast.bytes.q95 * this.options.refreshMs) / this.options.horizonMs;
    }
    // Buffers: the profiler's read-back buffer sized for a tick's forecast bytes.
    this.profiler.presizeReadBuffer(perTick);
    // A live iterator: files the profiler forgets meanwhile drop out of it.
    return this.profiler.knownInodes();
  }

  /** Sizes one file's reservation; true when that took a system call. */
  private size(inode: InodeState, nowMs: number, freeShare: number): boolean {
    const res = this.reservationOf(inode);
    if (res?.releasing) {
      this.release(inode, res.releasing);
      return true;
    }
    const f = inode.stream.forecast;
    if (!f || !inode.stream.model) {
      if (!res) return false;
      this.release(inode, 'its stream stopped');
      return true;
    }
    if (res && nowMs - res.lastGrowthMs > this.options.lifetimeMs) {
      this.release(inode, 'unused for its lifetime');
      return true;
    }
    // Sized again only when its forecast was made again (a slot closed: every second while
    // modelled) or its file grew; what else adjust weighs (free space, the budget left, a writer
    // opening it) is taken in at the next of those, at most a slot later.
    if (this.adjustedAt.get(inode) === f.originMs && !(res && res.grewSinceLastPass)) return false;
    this.adjustedAt.set(inode, f.originMs);
    this.adjust(inode, nowMs, freeShare);
    return true;
  }

  /** Growth since the last pass: hit bytes, and the reservation's remaining size. */
  private account(inode: InodeState, res: Reservation, nowMs: number): number {
    res.grewSinceLastPass = false;
    // The size is the furthest end of a write the profiler counted (from the records, or measured
    // by it while records are dropped): no fstat per file per tick. What no write explains (an
    // ftruncate or fallocate that extends the file) shows at the next measurement, when a
    // reservation is shrunk or given back.
    const size = Math.max(res.lastSize, inode.writtenTo);
    if (!this.credit(inode, res, size, nowMs)) res.noteGrowth(0, nowMs, this.options.horizonMs);
    return res.ahead(size);
  }

  /** Counts the growth up to `size` against the reservation as it stands (hits: the part inside it). */
  private credit(inode: InodeState, res: Reservation, size: number, nowMs: number): boolean {
    if (size <= res.lastSize) return false;
    const counters = this.countersOf(inode.stream);
    const grew = size - res.lastSize;
    const hit = res.inside(res.lastSize, size);
    counters.hitBytes += hit;
    counters.watchedBytes += grew;
    this.totals.hitBytes += hit;
    this.totals.watchedBytes += grew;
    if ((inode.stream.forecast?.confidence ?? 0) >= HIGH_CONFIDENCE) {
      counters.confidentHitBytes += hit;
      this.totals.confidentHitBytes += hit;
    }
    res.lastGrowthMs = nowMs;
    res.grewSinceLastPass = true;
    res.noteGrowth(grew, nowMs, this.options.horizonMs);
    res.lastSize = size;
    return true;
  }

  private adjust(inode: InodeState, nowMs: number, freeShare: number): void {
    let res = this.reservationOf(inode);
    const f = inode.stream.forecast!;
    const wanted = this.options.policy.target({
      forecast: f, confidence: f.confidence, horizonMs: this.options.horizonMs, recentGrowthBytes: res?.recentGrowth ?? 0,
    });
    // Low free space limits what is added, never what is held: taking a stream's reservation back
    // when the disk fills would hand its space to whoever is filling it.
    const target = throttleForFreeSpace(wanted, freeShare);
    if (!res) {
      if (target <= 0 || inode.readFd < 0 || inode.openHandles === 0) return;
      res = this.startReservation(inode, nowMs);
      if (!res) return;
    }
    const size = res.lastSize;
    const ahead = res.ahead(size);
    if (wanted <= 0) {
      if (ahead > 0) this.shrink(inode, res, size, 'forecast fell to nothing');
      return;
    }
    // Shrink only on a clear fall (four times what is wanted): a bursty stream's forecast swings,
    // and every punch of a page that is reserved again next burst is waste.
    if (ahead > 4 * wanted && res.end > pageUp(size + wanted)) {
      this.shrink(inode, res, size + wanted, 'forecast fell');
      return;
    }
    // Hysteresis: top up when less than half the target is left.
    if (ahead >= target / 2) return;
    // The page the end of file sits in is allocated already: reservations are whole pages past it
    // (a partial page at the end could be zeroed by a punch but never freed). The end is measured
    // (one fstat per top-up): the profiler's lags behind a writer that outpaces the daemon, and a
    // reservation from it would allocate pages inside the file, in a tiered file's synced part RAM
    // that its sync had freed (its rounds punch from the file's start, and free them again). The
    // growth up to it is counted now, against the range as it stands, before the range moves.
    const eof = Math.max(size, endOfFile(res.fd));
    this.credit(inode, res, eof, nowMs);
    const from = Math.max(res.end, pageUp(eof));
    const room = this.options.budgetBytes - this.reservedAhead;
    const end = Math.min(pageUp(eof + target), pageDown(from + Math.max(0, room)));
    const want = end - from;
    if (want < PAGE) return;
    const counters = this.countersOf(inode.stream);
    counters.fallocateCalls++;
    this.totals.fallocateCalls++;
    const rc = this.alloc.reserve(res.fd, from, want);
    if (rc < 0) {
      counters.fallocateFailures++;
      this.totals.fallocateFailures++;
      counters.lastError = this.totals.lastError = `fallocate: errno ${-rc}`;
      return;
    }
    if (res.end <= eof) res.start = from;
    res.end = end;
    counters.reservedBytes += want;
    this.totals.reservedBytes += want;
    this.reservedAhead += want;
  }

  /** Opens a descriptor the allocator can fallocate through (the profiler's is read-only). */
  private startReservation(inode: InodeState, nowMs: number): Reservation | null {
    if (!Number.isFinite(inode.dev)) return null;
    try {
      const fd = openSync(`/proc/self/fd/${inode.readFd}`, constants.O_WRONLY);
      const size = fstatSync(fd).size;
      const res = new Reservation(fd, size, nowMs);
      this.held.set(inode.key, { inode, res });
      return res;
    } catch (err) {
      this.totals.lastError = `open for reservation: ${(err as Error).message}`;
      return null;
    }
  }

  /**
   * Gives back the reserved pages past max(keepUntil, the end of file), never written into.
   * Returns false while a writer has the file open (nothing is punched then).
   */
  private shrink(inode: InodeState, res: Reservation, keepUntil: number, why: string, direct = false): boolean {
    // a file gone has nothing to punch that anyone can read
    res.lastSize = Math.max(res.lastSize, endOfFile(res.fd));
    const from = pageUp(Math.max(keepUntil, res.lastSize, res.start));
    if (res.end <= from) return true;
    const length = pageUp(res.end) - from;
    const rc = direct ? this.alloc.punchHole(res.fd, from, length) : this.engine.punchIfIdle(inode.dev, inode.ino, res.fd, from, length);
    if (rc === -EBUSY) return false;
    const counters = this.countersOf(inode.stream);
    if (rc < 0) {
      counters.lastError = this.totals.lastError = `punch hole: errno ${-rc}`;
      this.logger.debug('could not release a reservation', { file: inode.path, errno: -rc, why });
      return false;
    }
    counters.releasedUnusedBytes += res.end - from;
    this.totals.releasedUnusedBytes += res.end - from;
    this.reservedAhead -= Math.max(0, res.end - Math.max(from, res.lastSize));
    res.end = Math.max(res.lastSize, from);
    return true;
  }

  /** Gives the whole reservation back, now if no writer has the file open, else once none has. */
  private release(inode: InodeState, why: string, direct = false): void {
    const res = this.reservationOf(inode);
    if (!res) return;
    if (!this.shrink(inode, res, res.lastSize, why, direct)) {
      res.releasing = why;
      return;
    }
    this.forget(inode);
  }

  private forget(inode: InodeState): void {
    const res = this.reservationOf(inode);
    if (!res) return;
    closeQuietlySync(res.fd);
    // Out of the map first: the profiler asks `holds` before it lets the file go.
    this.held.delete(inode.key);
    this.profiler.letGoIfDone(inode);
  }

  private reservationOf(inode: InodeState): Reservation | null {
    return this.held.get(inode.key)?.res ?? null;
  }

  private countersOf(stream: Stream): AllocCounters {
    let counters = this.streamCounters.get(stream);
    if (!counters) {
      counters = new AllocCounters();
      this.streamCounters.set(stream, counters);
    }
    return counters;
  }

  // Profiler hooks: the moments a reservation must go.
  holds(key: string): boolean {
    return this.held.has(key);
  }

  fileMovedAway(inode: InodeState): void {
    this.release(inode, 'rotated away or unlinked');
  }

  lastClose(inode: InodeState, wrote: boolean): void {
    // Log writers that open, append and close keep their reservation (as XFS keeps its
    // preallocation across such cycles); one that closes without appending gives it back, and
    // one that was waiting for this writer to go (rotated away, unlinked) goes now.
    const waiting = this.reservationOf(inode)?.releasing;
    if (waiting) this.release(inode, waiting);
    else if (!wrote) this.release(inode, 'closed without appending');
    else if (this.options.releaseAtLastClose) this.release(inode, 'closed (tiered: its RAM copy goes at the next sync)');
  }

  truncated(inode: InodeState): void {
    this.release(inode, 'truncated');
  }

  /** The profiler never forgets a file the allocator holds (see Profiler.evictInode). */
  forgotten(inode: InodeState): void {
    this.release(inode, 'forgotten');
  }

  /**
   * Every reservation goes back on unmount: directly once the engine has stopped serving (no
   * write can race the punch any more), else through the engine's writer check; whatever a
   * writer of a lazily detached mount still holds is logged.
   */
  close(): void {
    this.sizing = null;
    const direct = this.engine.stoppedServing;
    for (const { inode } of [...this.held.values()]) this.release(inode, 'unmount', direct);
    if (this.held.size > 0) {
      this.logger.warn('reservations left on files still open in a lazily detached mount', { files: this.held.size });
      for (const { inode } of [...this.held.values()]) this.forget(inode);
    }
    this.reservedAhead = 0;
  }
}

/** The file's size now, 0 if it cannot be measured (then the size known before stands). */
function endOfFile(fd: number): number {
  try {
    return fstatSync(fd).size;
  } catch {
    return 0;
  }
}
