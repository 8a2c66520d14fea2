import { closeSync, fstatSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import type { MountConfig } from '../config/mount-config';
import { engineSocketPath, pidFilePath, recordPath, socketPath } from '../control/paths';
import { NativeEngine } from '../engine/native/native-engine';
import { PROTOCOL_VERSION, type MountRecord } from '../control/protocol';
import { ControlServer, ensureRunDir, type Handler } from '../control/server';
import type { Engine } from '../engine/engine';
import { createEngine, maxUnsyncedOf } from './create-engine';
import { Profiler } from '../profile/profiler';
import type { SnapshotScope } from '../profile/snapshot';
import { ShadowLog } from '../shadow/shadow-log';
import { Allocator } from '../alloc/allocator';
import { loadNativeAlloc, type NativeAlloc } from '../engine/native/alloc-addon';
import { POLICIES } from '../alloc/policies';
import { SpaceGuard } from './space-guard';
import { monotonicMs } from '../util/clock';
import { closeQuietlySync } from '../util/fd';
import { LOGSHADOW_FSTYPE, readMounts, topMountAt } from '../util/mountinfo';
import type { Logger } from '../util/logger';
import { checkEnvironment, prepareMountpoint, removeFreshTmpfs, removeRamSide, type PreparedMount } from './prepare-mountpoint';
import { ErrorCodes, LogshadowError } from '../errors';
import { TickStats } from './tick-stats';
import { DaemonPriority } from './priority';
import { raiseDescriptorLimit, reportDescriptorLimit } from './descriptor-limit';
import { MetricsHttpServer } from '../metrics/http-server';
import { renderPrometheus, type MetricsStats } from '../metrics/prometheus';
import { CONTENT_TYPE } from '../metrics/exposition';
import { isLoopback } from '../metrics/listen-address';
import { historyView, WindowHistory } from '../shadow/window-history';
import { SyncTriggers } from './sync-triggers';
import { checkpointPath, filesMadeAfter, locateFile, readCheckpoint, removeCheckpoint } from './checkpoint-file';
import { CheckpointWriter } from './checkpoint-writer';
import { RefreshSlices } from './refresh-slices';
import { Severity } from '../profile/severity';
import { durabilityStats } from './durability-stats';
import { findProgram, run } from '../util/run';

/**
 * Wires an engine to the pipeline beside it: prepare the directory, mount, serve the control
 * socket, run the refresh tick, and tear all of it down exactly once.
 */
/** How often, at most, the daemon's counts are written down for the daemon that may follow it. */
const CHECKPOINT_EVERY_MS = 1000;

export class Daemon {
  private prepared: PreparedMount | null = null;
  private engine: Engine | null = null;
  private profiler: Profiler | null = null;
  private shadow: ShadowLog | null = null;
  private guard: SpaceGuard | null = null;
  private allocator: Allocator | null = null;
  /** Why pre-allocation is off, when it is. */
  private preallocOff: string | null = null;
  private control: ControlServer | null = null;
  private timer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private stopping: Promise<void> | null = null;
  /** The refresh, in slices (null with profiling off). */
  private refresh: RefreshSlices | null = null;
  /** A slice of the refresh is queued (sliceTick). */
  private sliceQueued = false;
  private readonly socket: string;
  private readonly ticks = new TickStats();
  private readonly priority = new DaemonPriority((message, fields) => this.logger.warn(message, fields));
  private readonly startedAt = Date.now();
  /** Recent scored windows per file stream, for `logshadow report`. */
  private readonly history: WindowHistory;
  private metricsServer: MetricsHttpServer | null = null;
  private syncTriggers: SyncTriggers | null = null;
  /** The native engine's: where this daemon keeps its checkpoint for the next one (see Profiler.resume). */
  private checkpoint: { file: string; enginePid: number; lastMs: number; lastWrites: number; lastBytes: number } | null = null;
  private checkpointWriter: CheckpointWriter | null = null;

  /**
   * relaunch: the command line that starts a daemon like this one, which the native engine runs
   * when this daemon goes away without unmounting (null: none).
   */
  constructor(private readonly config: MountConfig, private readonly logger: Logger, private readonly relaunch: string[] | null = null) {
    this.socket = socketPath(config.runDir, config.mountpoint);
    this.history = new WindowHistory(config.historyWindows);
  }

  async start(): Promise<void> {
    checkEnvironment();
    // Bound first: a taken port fails the mount before anything is mounted.
    if (this.config.metricsListen) {
      this.metricsServer = await MetricsHttpServer.listen(this.config.metricsListen, () => this.priority.raisedFor(() => this.metricsText()));
      const open = !isLoopback(this.config.metricsListen.host);
      this.logger[open ? 'warn' : 'info'](`metrics at http://${this.metricsServer.address}/metrics${open ? ', reachable from other machines, without authentication' : ''}`);
    }
    // Before anything is mounted: a run directory that cannot be made fails the mount cleanly.
    ensureRunDir(this.config.runDir);
    // The kernel has applied the caller's umask to every mode that reaches the daemon.
    process.umask(0);
    const prepared = await prepareMountpoint(this.config, this.logger);
    this.prepared = prepared;
    try {
      const { engine, fallbackReason } = createEngine(this.config, prepared, this.relaunch);
      if (fallbackReason) this.logger.warn(fallbackReason);
      this.engine = engine;
      const limit = raiseDescriptorLimit();
      if (!prepared.attached) await engine.mount();
      reportDescriptorLimit(limit, this.logger);
    } catch (err) {
      this.engine = null;
      await prepared.undo();
      this.prepared = null;
      throw err;
    }
    const engine = this.engine;
    try {
      await this.startPipeline(engine, prepared);
    } catch (err) {
      // Nothing half-made stays behind: what was mounted goes, and the tmpfs made for it.
      await this.stop('start failed');
      if (prepared.ownTmpfs) await removeFreshTmpfs(prepared.mountpoint, this.logger);
      throw err;
    }
    this.logger.info('mounted', {
      mountpoint: this.config.mountpoint, backing: prepared.backingDisplay, engine: engine.name, cache: engine.cache,
      ownTmpfs: prepared.ownTmpfs, socket: this.socket, pid: process.pid,
    });
  }

  /** Idempotent: signals, an unmount request and a failure may all ask at once. */
  stop(reason: string): Promise<void> {
    this.stopping ??= this.teardown(reason);
    return this.stopping;
  }

  private async teardown(reason: string): Promise<void> {
    this.logger.info('unmounting', { mountpoint: this.config.mountpoint, reason });
    if (this.timer) clearInterval(this.timer);
    if (this.watchdog) clearInterval(this.watchdog);
    let lazyNote = '';
    try {
      if (this.engine) await this.engine.unmount();
    } catch (err) {
      this.logger.error('unmount failed', { error: (err as Error).message });
      lazyNote = ' (unmount failed)';
    }
    // A last tick takes the events that arrived before the mount went away, then every
    // reservation is given back and every descriptor the profiler holds is closed.
    this.profiler?.tick();
    this.allocator?.close();
    this.profiler?.close();
    await this.settleRamSide();
    this.checkpointWriter?.drop();
    if (this.checkpoint) removeCheckpoint(this.checkpoint.file);
    this.priority.stop();
    await this.control?.close();
    await this.metricsServer?.close();
    const own = [this.socket, recordPath(this.config.runDir, this.config.mountpoint), ...(this.engine instanceof NativeEngine ? [] : [this.pidFile()])];
    for (const file of own) {
      try {
        rmSync(file, { force: true });
      } catch {
        // a run directory that never existed (start failed): nothing to remove
      }
    }
    if (this.prepared) closeSync(this.prepared.backingFd);
    if (this.prepared?.tiered && this.prepared.tiered.ramFd >= 0) closeSync(this.prepared.tiered.ramFd);
    this.logger.info(`unmounted${lazyNote}`, { mountpoint: this.config.mountpoint });
  }

  /**
   * After the final sync: a RAM side that holds no tail any more goes (its tmpfs unmounted); one
   * that still does (the disk could not take it in time) stays for the next mount, loudly.
   */
  private async settleRamSide(): Promise<void> {
    const tiered = this.prepared?.tiered;
    if (!tiered || !this.engine?.stoppedServing) return;
    const left = this.engine.unsyncedLeft;
    // Ours is the last descriptor on it: the tmpfs cannot go while it is open.
    closeQuietlySync(tiered.ramFd);
    tiered.ramFd = -1;
    if (left > 0) {
      this.logger.warn(`${left} unsynced bytes could not be written to disk in time: they stay in RAM at ${tiered.ramDir}, and the next mount (or logshadow recover) syncs them`, { ramDir: tiered.ramDir, unsyncedBytes: left });
    } else if (await removeRamSide(tiered.ramDir, this.logger)) {
      this.logger.info('every tail is on disk; the RAM side is gone', { ramDir: tiered.ramDir });
    }
  }

  /** Everything beside the data path, once the engine serves: profiler, shadow, allocator, socket. */
  private async startPipeline(engine: Engine, prepared: PreparedMount): Promise<void> {
    const alloc = loadNativeAlloc();
    const tiers = engine.tiers;
    this.profiler = new Profiler(engine, {
      refreshMs: this.config.refreshMs,
      horizonMs: this.config.horizonMs,
      maxFileStreams: this.config.maxFiles,
      maxInodes: this.config.maxFiles,
      maxModels: this.config.maxModels,
      openBeneath: alloc.ok ? (path) => alloc.addon.openBeneath(prepared.backingFd, path) : null,
      syncOn: tiers && this.config.syncOn ? Severity[capitalised(this.config.syncOn)] : null,
    });
    this.profiler.models.onWindowFor = this.history.recorderFor;
    if (engine instanceof NativeEngine) this.resumeProfiler(engine, prepared, alloc.ok ? alloc.addon : null);
    // The RAM side is what fills: the tmpfs itself, or a tiered mount's RAM directory.
    const ramPath = prepared.tiered?.ramPath ?? prepared.backingPath;
    this.shadow = new ShadowLog(this.profiler, ramPath, { horizonMs: this.config.horizonMs });
    this.guard = new SpaceGuard(this.logger, this.config.warnFullMs / 1000);
    if (tiers) {
      this.syncTriggers = new SyncTriggers(tiers, {
        maxUnsyncedBytes: maxUnsyncedOf(this.config), syncIntervalMs: this.config.syncIntervalMs, refreshMs: this.config.refreshMs,
        horizonMs: this.config.horizonMs, warnFullSec: this.config.warnFullMs / 1000,
      }, this.logger);
    }
    this.startAllocator(ramPath);
    if (this.config.profile) {
      this.refresh = this.refreshSteps();
      this.timer = setInterval(() => this.sliceTick(), this.config.refreshMs);
    }
    else {
      this.logger.warn('profiling is off (--no-profile): nothing is profiled, forecast or reserved');
      this.timer = setInterval(() => this.discardFileEvents(), this.config.refreshMs);
    }
    engine.onFileGone((dev, ino) => this.priority.raisedFor(() => this.fileGone(dev, ino)));
    engine.onLost((reason) => {
      this.logger.error(`${reason}; applications writing there get "Transport endpoint is not connected" until logshadow mount ${this.config.mountpoint} recovers it`);
      void this.stop('engine lost').then(() => process.exit(1));
    });
    this.control = new ControlServer(this.handlers());
    await this.control.listen(this.socket);
    // The native engine serves every write in its own process: this one is beside the data path
    // and takes only the CPU the writers leave (fuse-native serves writes here: never lowered).
    if (engine instanceof NativeEngine && this.config.profile) {
      this.priority.lower([this.control.fd, this.metricsServer?.fd].filter((fd): fd is number => fd !== undefined));
      for (const c of [this.control.connections, this.metricsServer?.connections]) if (c) c.onAccepted = () => this.priority.raise();
    }
    this.writeRecord();
    this.watchMount();
  }

  /**
   * The native engine outlives daemons: one that attaches to a running engine takes the counts
   * over from its predecessor's checkpoint and reads what was written meanwhile from the files.
   */
  private resumeProfiler(engine: NativeEngine, prepared: PreparedMount, alloc: NativeAlloc | null): void {
    const enginePid = engine.mounted?.enginePid ?? 0;
    const at = engine.attachedAt!;
    const file = checkpointPath(this.config.runDir, this.config.mountpoint);
    this.checkpoint = { file, enginePid, lastMs: 0, lastWrites: -1, lastBytes: -1 };
    this.checkpointWriter = new CheckpointWriter(file);
    const cp = prepared.attached ? readCheckpoint(file, enginePid) : null;
    if (!cp) {
      this.profiler!.noteGap(at.skipped);
      // The counts begin here: a daemon killed before its first tick leaves a successor that
      // knows where to read from (every file it finds created since is read from its start).
      if (!prepared.attached) this.saveCheckpoint(Infinity, true);
      return;
    }
    // consumed by the predecessor after its checkpoint, written while none drained, and lost to a full ring
    const missed = ((at.tail - cp.ring.tail) >>> 0) + at.skipped + ((at.dropped - cp.ring.dropped) >>> 0);
    const openBeneath = alloc ? (p: string) => alloc.openBeneath(prepared.backingFd, p) : null;
    const locate = (dev: number, ino: number, path: string) => (openBeneath ? locateFile(prepared.backingPath, openBeneath, dev, ino, path) : -1);
    const madeAfter = openBeneath ? (wallMs: number, max: number) => filesMadeAfter(prepared.backingPath, openBeneath, wallMs, max) : undefined;
    this.profiler!.resume(cp, missed, locate, madeAfter);
    this.logger.info('resumed the counts of the daemon before; what it missed is read from the files', { missedRecords: missed, files: cp.inodes.length });
  }

  /**
   * The refresh's checkpoint step: at most once a second, and only when something was counted
   * since; written a few states per slice (CheckpointWriter), `force`: at once, whole.
   */
  private saveCheckpoint(deadline = Infinity, force = false): boolean {
    const c = this.checkpoint;
    const p = this.profiler;
    const writer = this.checkpointWriter;
    if (!c || !p || !writer || this.stopping) {
      writer?.drop();
      return true;
    }
    const now = monotonicMs();
    if (writer.overtaken(p.ticks)) {
      // A tick between two slices (a file removed) changed the counts: the next refresh starts
      // it again, so that removals in a burst never keep the other steps waiting.
      writer.drop();
      return true;
    }
    if (!writer.busy && !force && (now - c.lastMs < CHECKPOINT_EVERY_MS || (p.totalWrites === c.lastWrites && p.totalBytes === c.lastBytes))) return true;
    try {
      if (!writer.busy) {
        const ring = this.engine!.ring;
        writer.begin(p.checkpointParts(c.enginePid, { tail: ring.tail, dropped: ring.dropped }), p.ticks);
      }
      if (!writer.step(deadline)) return false;
      Object.assign(c, { lastMs: now, lastWrites: p.totalWrites, lastBytes: p.totalBytes });
    } catch (err) {
      c.lastMs = now;
      this.logger.warn('cannot write the checkpoint: a daemon that takes over counts from an older one', { error: (err as Error).message });
    }
    return true;
  }

  /**
   * A mount can go without the daemon being asked (`umount -l` by hand, the directory's parent
   * unmounted): the daemon then has nothing to serve and leaves rather than linger.
   */
  private watchMount(): void {
    const ours = topMountAt(this.config.mountpoint);
    if (!ours || ours.fstype !== LOGSHADOW_FSTYPE) return;
    this.watchdog = setInterval(() => {
      if (readMounts().some((m) => m.mountId === ours.mountId)) return;
      this.logger.warn('the mount went away without an unmount request: stopping', { mountpoint: this.config.mountpoint });
      void this.stop('mount gone').then(() => process.exit(0));
    }, 2000);
  }

  private startAllocator(backingPath: string): void {
    if (this.config.prealloc === 'none') {
      this.preallocOff = 'turned off (--prealloc none)';
      return;
    }
    const loaded = loadNativeAlloc();
    if (!loaded.ok) {
      this.preallocOff = `the allocation addon is unavailable: ${loaded.reason}`;
      this.logger.warn(`pre-allocation is off: ${this.preallocOff}`);
      return;
    }
    const st = statfsSync(backingPath);
    const size = st.blocks * st.bsize;
    const budget = 'bytes' in this.config.preallocBudget ? this.config.preallocBudget.bytes : Math.floor(size * this.config.preallocBudget.share);
    this.allocator = new Allocator(this.profiler!, this.engine!, loaded.addon, {
      policy: POLICIES[this.config.prealloc],
      budgetBytes: budget,
      lifetimeMs: this.config.preallocLifetimeMs,
      horizonMs: this.config.horizonMs,
      refreshMs: this.config.refreshMs,
      releaseAtLastClose: this.prepared?.tiered != null,
    }, this.logger);
    this.logger.info('pre-allocation on', { policy: this.config.prealloc, budgetBytes: budget, lifetimeMs: this.config.preallocLifetimeMs });
  }

  private preallocStats(): unknown {
    if (!this.allocator) return { enabled: false, reason: this.preallocOff };
    return {
      enabled: true,
      policy: this.config.prealloc,
      budgetBytes: this.allocator.budgetBytes,
      aheadBytes: this.allocator.aheadBytes,
      reservations: this.allocator.reservations,
      releasing: this.allocator.releasing,
      lifetimeMs: this.config.preallocLifetimeMs,
      readBufferBytes: this.profiler!.readBufferBytes,
      ...this.allocator.totals.toJSON(),
    };
  }

  /**
   * A file lost its last name and handle while the profiler or the allocator may hold a
   * descriptor on it (see Engine.onFileGone): the profiler takes the events now, which reads the
   * file's last bytes, closes its read descriptor and gives back any reservation, so that the
   * space is free when the unlink returns. Not counted as a refresh tick.
   */
  private fileGone(dev: number, ino: number): void {
    try {
      if (!this.config.profile) this.discardFileEvents();
      else if (this.profiler && !this.stopping && this.profiler.mayHold(dev, ino)) this.profiler.tick();
    } catch (err) {
      this.logger.error('releasing a removed file failed', { error: (err as Error).stack ?? String(err) });
    }
  }

  /**
   * Profiling off: file events are still queued by the engine, with descriptors to close; once
   * closed, the engine need not ask about those files when they are removed.
   */
  private discardFileEvents(): void {
    const engine = this.engine;
    if (!engine) return;
    for (const ev of engine.drainFileEvents()) {
      if (ev.kind !== 'open' || ev.readFd < 0) continue;
      let file: { dev: number; ino: number } | null = null;
      try {
        file = fstatSync(ev.readFd);
      } catch {
        // cannot say which file: the engine will ask when it is removed
      }
      closeQuietlySync(ev.readFd);
      if (file) engine.consumerDone(file.dev, file.ino, ev.handle);
    }
  }

  /**
   * The steps of a refresh (see RefreshSlices), in order: the profiler takes the ring and reads
   * the new content; the shadow forecasts again the streams whose slot closed; the allocator, the
   * space guard and the sync triggers act on the forecasts; the checkpoint is written.
   */
  private refreshSteps(): RefreshSlices {
    const profiler = this.profiler!;
    const shadow = this.shadow!;
    return new RefreshSlices([
      { name: 'profile', yieldsWhenCut: true, run: (deadline) => profiler.tick(deadline) },
      { name: 'shadow', yieldsWhenCut: true, run: (deadline) => shadow.refresh(monotonicMs(), deadline) },
      { name: 'act', yieldsWhenCut: false, run: (deadline) => this.actOnForecasts(deadline) },
      { name: 'checkpoint', yieldsWhenCut: false, run: (deadline) => this.saveCheckpoint(deadline) },
    ], (step, err) => this.logger.error(`refresh step ${step} failed`, { error: (err as Error).stack ?? String(err) }));
  }

  /**
   * The refresh timer: a new refresh, run in slices that each hold the event loop for about
   * TICK_SLICE_MS, so that a request never waits long behind it (under SCHED_IDLE, with the
   * writers holding the CPU, a whole tick's work took seconds of wall time) and the daemon never
   * holds a CPU for long; the rest runs in the next slice, at once.
   */
  private sliceTick(): void {
    this.refresh!.schedule();
    if (this.yieldToRequest()) return;
    if (!this.runSlice(TICK_SLICE_MS)) this.queueSlice();
  }

  private queueSlice(): void {
    if (this.sliceQueued || this.stopping) return;
    this.sliceQueued = true;
    setImmediate(() => {
      this.sliceQueued = false;
      if (this.stopping || this.yieldToRequest()) return;
      if (!this.runSlice(TICK_SLICE_MS)) this.queueSlice();
    });
  }

  /** One slice of the refresh, counted in the tick statistics; true when the refresh is done. */
  private runSlice(budgetMs: number): boolean {
    const t0 = performance.now();
    const done = this.refresh!.run(t0 + budgetMs);
    this.ticks.record(performance.now() - t0, this.profiler!.models.size);
    return done;
  }

  /**
   * Before a slice: true when it should not run because a request's connection is open. The
   * request's own tick does that work, raised, and the answer goes sooner without slices before
   * it (with the writers holding both CPUs a slice took up to 0.7 s of wall time even at normal
   * priority, and a request was read only after two). For YIELD_TO_REQUEST_MS of a connection's
   * life at most: one that asks nothing, or waits long (a sync), does not stop the profiler. A
   * slice that runs runs lowered (see DaemonPriority).
   */
  private yieldToRequest(): boolean {
    const since = Math.min(this.control?.connections.oldestSince ?? Infinity, this.metricsServer?.connections.oldestSince ?? Infinity);
    if (since !== Infinity && performance.now() - since < YIELD_TO_REQUEST_MS) return true;
    this.priority.settle();
    return false;
  }

  /** The refresh step after the forecasts: the allocator, the space guard, the sync triggers. */
  private actOnForecasts(deadline: number): boolean {
    const fs = this.shadow!.filesystem();
    if (this.allocator && !this.allocator.tick(monotonicMs(), fs, deadline)) return false;
    this.guard?.check(fs);
    this.syncTriggers?.afterTick(this.profiler!, fs, monotonicMs());
    return true;
  }

  /**
   * Before an answer: a whole refresh, so that the answer includes every write acknowledged before
   * the question, unless taking it all in would keep the person waiting past REQUEST_TICK_MS
   * (under overload: 16 MiB to read took 2 s of wall time at normal priority, the writers holding
   * both CPUs). The answer then says what is left (`backlog`), and the rest follows at once.
   */
  private requestTick(): void {
    if (!this.refresh || this.stopping) return;
    this.refresh.schedule();
    if (!this.runSlice(REQUEST_TICK_MS)) this.queueSlice();
  }

  private handlers(): Record<string, Handler> {
    return {
      ping: () => ({ pong: true, pid: process.pid, protocol: PROTOCOL_VERSION }),
      // A person waits on these: they run raised (see DaemonPriority).
      stats: (params) => this.priority.raisedFor(() => this.stats(snapshotScope(params), typeof params.ticksSince === 'number' ? params.ticksSince : 0)),
      shadow: (params) => this.priority.raisedFor(() => {
        this.requestTick();
        const file = typeof params.file === 'string' ? params.file : undefined;
        const entries = typeof params.entries === 'number' ? params.entries : undefined;
        return { mountpoint: this.config.mountpoint, ...this.shadow!.view(monotonicMs(), { file, entries }) };
      }),
      history: (params) => this.priority.raisedFor(() => {
        this.requestTick();
        return {
          mountpoint: this.config.mountpoint,
          ...historyView(this.history, this.config.horizonMs, monotonicMs(), Date.now(), {
            file: typeof params.file === 'string' ? params.file : undefined, top: typeof params.top === 'number' ? params.top : undefined,
          }),
        };
      }),
      metrics: (params) => this.priority.raisedFor(() => ({
        contentType: CONTENT_TYPE,
        text: this.metricsText(typeof params.maxStreams === 'number' ? params.maxStreams : undefined),
      })),
      sync: async (params) => {
        const tiers = this.engine?.tiers;
        if (!tiers) throw new LogshadowError(ErrorCodes.USAGE, `${this.config.mountpoint} is a RAM-only mount: there is no disk side to sync to`);
        const timeoutMs = typeof params.timeoutMs === 'number' ? params.timeoutMs : 10 * 60_000;
        await this.flushKernelCache(timeoutMs);
        const outcome = await tiers.syncNow(null, 'request', timeoutMs);
        return { schema: 'logshadow.sync/1', mountpoint: this.config.mountpoint, ...outcome, unsyncedBytes: tiers.totals().unsyncedBytes };
      },
      unmount: () => {
        // Reply first, then stop: the client is told the request was taken.
        setImmediate(() => void this.stop('unmount requested').then(() => process.exit(0)));
        return { stopping: true };
      },
    };
  }

  /**
   * In writeback-cache mode the kernel holds written pages that the engine has not seen yet; a
   * sync asked for by a person must include them, so the mount's dirty pages are flushed first
   * (syncfs by a child process: this process serves the mount and never calls into it).
   */
  private async flushKernelCache(timeoutMs: number): Promise<void> {
    if (this.engine?.cache !== 'writeback') return;
    const sync = findProgram('sync');
    const res = sync ? await run(sync, ['-f', this.config.mountpoint], timeoutMs) : null;
    if (!res || res.code !== 0) this.logger.warn('could not flush the kernel writeback cache before a sync', { error: res?.stderr.trim() ?? 'sync(1) not found' });
  }

  /** The Prometheus exposition of stats and shadow (`logshadow metrics`, GET /metrics). */
  private metricsText(maxStreams = this.config.metricsMaxStreams): string {
    if (!this.engine || !this.shadow) throw new Error('the mount is not up yet');
    const stats = this.stats() as MetricsStats;
    return renderPrometheus(stats, this.shadow.view(monotonicMs(), { entries: 0 }), maxStreams);
  }

  /** `ticksSince`: the tick summary covers the ticks after that count only (see TickStats.summary). */
  private stats(scope: SnapshotScope = {}, ticksSince = 0): unknown {
    const engine = this.engine!;
    this.requestTick();
    const mem = process.memoryUsage();
    return {
      schema: 'logshadow.stats/2',
      mountpoint: this.config.mountpoint,
      backing: this.prepared?.backingDisplay,
      engine: engine.name,
      cache: engine.cache,
      knowsCaller: engine.knowsCaller,
      profiling: this.config.profile,
      pid: process.pid,
      enginePid: engine instanceof NativeEngine ? engine.mounted?.enginePid ?? null : null,
      uptimeSec: (Date.now() - this.startedAt) / 1000,
      refreshMs: this.config.refreshMs,
      horizonMs: this.config.horizonMs,
      daemon: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, externalBytes: mem.external, arrayBufferBytes: mem.arrayBuffers, tick: this.ticks.summary(ticksSince) },
      engineCounters: engine.counters(),
      space: { ...this.shadow!.filesystem(), warnings: this.guard!.flags() },
      durability: durabilityStats(this.config, this.prepared, engine, this.syncTriggers),
      prealloc: this.preallocStats(),
      ...this.profiler!.snapshot((file) => this.allocator?.countersFor(file)?.toJSON() ?? null, scope),
    };
  }

  private pidFile(): string {
    return this.config.pidFile ?? pidFilePath(this.config.runDir, this.config.mountpoint);
  }

  private writeRecord(): void {
    const native = this.engine instanceof NativeEngine ? this.engine : null;
    const record: MountRecord = {
      version: PROTOCOL_VERSION,
      mountpoint: this.config.mountpoint,
      pid: process.pid,
      socket: this.socket,
      ...(native && { enginePid: native.mounted?.enginePid, engineSocket: engineSocketPath(this.config.runDir, this.config.mountpoint) }),
      engine: this.engine!.name,
      cache: this.engine!.cache,
      backing: this.prepared!.backingDisplay,
      ownTmpfs: this.prepared!.ownTmpfs,
      diskDir: this.prepared!.tiered?.diskDir ?? null,
      ramDir: this.prepared!.tiered?.ramDir ?? null,
      startedAt: new Date().toISOString(),
    };
    writeFileSync(recordPath(this.config.runDir, this.config.mountpoint), JSON.stringify(record, null, 2) + '\n', { mode: 0o600 });
    // The native engine writes its own pid file; fuse-native's daemon is what holds the mount.
    if (!native) writeFileSync(this.pidFile(), `${process.pid}\n`, { mode: 0o644 });
  }
}

function capitalised<T extends string>(name: T): Capitalize<T> {
  return (name.charAt(0).toUpperCase() + name.slice(1)) as Capitalize<T>;
}

/**
 * The longest a slice of the refresh holds the event loop, plus one piece of work (64 records, a
 * file's read of 64 KiB at most, one stream's forecast, 64 checkpoint states) and what is not cut
 * (taking the engine's file events, measuring open files while records are dropped, a pass's
 * accounting over every reservation, the filesystem's sum). At 1,000 streams (bench/profiler-cost,
 * two runs each way, alternating) slices of 3 ms gave a p99 of 6.1 and 6.3 ms, of 2 ms 3.6 and
 * 3.1 ms, for the same total work (47-59 ms a second); at 4 ms the pieces that ran over made
 * slices of 5-10 ms one time in fifteen.
 */
const TICK_SLICE_MS = 2;
/** The longest slices wait while a connection is open (see yieldToRequest). */
const YIELD_TO_REQUEST_MS = 1000;
/** The longest a request's tick runs before the answer goes out with what is left in `backlog`. */
const REQUEST_TICK_MS = 500;

/** A stats request's `top` (a count) and `file` (a stream key); anything else means all streams. */
function snapshotScope(params: Record<string, unknown>): SnapshotScope {
  return {
    top: typeof params.top === 'number' && params.top >= 0 ? Math.floor(params.top) : undefined,
    file: typeof params.file === 'string' ? params.file : undefined,
  };
}
