import { closeSync } from 'node:fs';
import type { CacheMode, Engine, EngineMountOptions, FileEvent, FileGoneHandler } from '../engine';
import type { TierControl } from '../tiers';
import { tierControl } from './tiers-addon';
import { ErrorCodes, LogshadowError } from '../../errors';
import { WriteRing } from '../../ring/write-ring';
import { errnoOf } from '../../util/errno';
import {
  loadEngineAddon,
  type NativeConsumerHandle,
  type NativeCounters,
  type NativeEngineAddon,
  type NativeMessage,
  type NativeUnmountResult,
} from './addon';
import { startEngineProcess, type EngineProcessOptions } from './engine-process';

/**
 * The ring as a daemon found it when it attached: the tail its predecessor left (the records
 * before it were consumed), how many records it then skipped (written while no daemon drained:
 * it reads their content from the files), and the drop counter.
 */
export interface AttachPoint {
  tail: number;
  skipped: number;
  dropped: number;
}

export interface NativeEngineOptions extends EngineMountOptions {
  /** Serve extended attributes (off by default; see NativeMountOptions.xattr for the cost). */
  xattr?: boolean;
  /** The engine process: where it listens, and what it does beside serving. */
  process: EngineProcessOptions;
  /**
   * Attach to the engine already serving at process.socketPath (its daemon died) instead of
   * starting one; the mount options are then the engine's, and backingFd comes from it.
   */
  attach?: boolean;
}

/**
 * The fast engine. The data path runs in a process of its own (native/src/engine_proc/), written
 * in C, which mounts, serves every operation on libfuse's threads and never runs JavaScript; it
 * outlives this one. mount() starts it (or, with `attach`, finds it) and attaches: the ring and
 * the counters are memory shared with it, the file events and everything else go over its
 * socket. unmount() asks it to unmount, with the final sync of a tiered mount.
 */
export class NativeEngine implements Engine {
  readonly name = 'native' as const;
  readonly knowsCaller = true;
  readonly cache: CacheMode;
  private handle: NativeConsumerHandle | undefined;
  private writeRing: WriteRing | undefined;
  private unmounting: Promise<void> | undefined;
  private unmountResult: NativeUnmountResult | undefined;
  private goneHandler: FileGoneHandler | undefined;
  private lostHandler: ((reason: string) => void) | undefined;
  private tierControl: TierControl | undefined;
  private pid = 0;
  private attachPoint: AttachPoint | undefined;

  constructor(
    private readonly options: NativeEngineOptions,
    private readonly addon?: NativeEngineAddon,
  ) {
    this.cache = options.cache;
  }

  /** Whether this machine can run the engine, and if not, why. */
  static available(): { ok: true } | { ok: false; reason: string } {
    const load = loadEngineAddon();
    return load.ok ? { ok: true } : { ok: false, reason: load.reason };
  }

  get ring(): WriteRing {
    if (this.writeRing === undefined) {
      throw new LogshadowError(ErrorCodes.NOT_MOUNTED, 'the native engine has a ring once mount() has resolved');
    }
    return this.writeRing;
  }

  /** What the kernel agreed to at mount time, and where the engine process is. */
  get mounted(): { device: string; maxWrite: number; writeback: boolean; xattr: boolean; tiered: boolean; enginePid: number } | undefined {
    const h = this.handle;
    return h && { device: h.device, maxWrite: h.maxWrite, writeback: h.writeback, xattr: h.xattr, tiered: h.tiered, enginePid: this.pid };
  }

  /** Attached to a running engine: its descriptors of the backing directory and the RAM
   * directory, now this process's to close. */
  get directories(): { backingFd: number; ramDirFd: number } | undefined {
    const h = this.handle;
    return h && this.options.attach ? { backingFd: h.backingFd, ramDirFd: h.ramDirFd } : undefined;
  }

  /** Where the ring stood when this daemon attached (see AttachPoint). */
  get attachedAt(): AttachPoint | undefined {
    return this.attachPoint;
  }

  get stoppedServing(): boolean {
    return this.unmountResult?.stopped ?? false;
  }

  /** How the last unmount went (lazily when files were open). */
  get lastUnmount(): NativeUnmountResult | undefined {
    return this.unmountResult;
  }

  async mount(): Promise<void> {
    if (this.handle !== undefined) throw new LogshadowError(ErrorCodes.ALREADY_MOUNTED, 'already mounted');
    const addon = this.resolveAddon();
    const o = this.options;
    if (!o.attach) {
      this.pid = await startEngineProcess({
        mountpoint: o.mountpoint,
        backingFd: o.backingFd,
        cache: o.cache,
        maxWrite: o.maxWrite,
        ringCapacity: o.ringCapacity,
        debug: o.debug,
        xattr: o.xattr ?? false,
        ...(o.tiered && {
          ramDirFd: o.tiered.ramDirFd,
          maxUnsynced: o.tiered.maxUnsyncedBytes,
          syncIntervalMs: o.tiered.syncIntervalMs,
          finalSyncMs: o.tiered.finalSyncMs,
          diskReserve: o.tiered.diskReserve,
          directPatterns: o.tiered.directPatterns.join('\n'),
        }),
      }, o.process);
    }
    try {
      this.handle = addon.attach(o.process.socketPath, 'consumer', (kind, dev, ino) => this.onMessage(kind, dev, ino));
    } catch (err) {
      const busy = (err as NodeJS.ErrnoException).code === 'EBUSY';
      throw new LogshadowError(busy ? ErrorCodes.ALREADY_MOUNTED : ErrorCodes.MOUNT_FAILED, `cannot attach to the engine of ${o.mountpoint}: ${(err as Error).message}`, { cause: err });
    }
    this.pid = this.handle.enginePid;
    if (!o.attach) {
      // This process has its own descriptors of the directories: the engine's copies would only
      // keep a RAM directory from being unmounted at the end.
      closeSync(this.handle.backingFd);
      if (this.handle.ramDirFd >= 0) closeSync(this.handle.ramDirFd);
    }
    this.writeRing = new WriteRing(this.handle.ring);
    // What was written before this daemon attached is read from the files, not from the ring.
    const tail = this.writeRing.tail;
    this.attachPoint = { tail, skipped: this.writeRing.skipTo(this.handle.ringHead), dropped: this.writeRing.dropped };
  }

  private onMessage(kind: NativeMessage, dev?: number, ino?: number): void {
    if (kind === 'gone' && dev !== undefined && ino !== undefined) this.goneHandler?.(dev, ino);
    else if (kind === 'closed' && this.unmounting === undefined) this.lostHandler?.('the engine process ended: the mount no longer serves');
  }

  onFileGone(handler: FileGoneHandler): void {
    if (this.goneHandler) throw new LogshadowError(ErrorCodes.INTERNAL, 'the file-gone handler is already set');
    this.goneHandler = handler;
  }

  onLost(handler: (reason: string) => void): void {
    this.lostHandler = handler;
  }

  unmount(): Promise<void> {
    const handle = this.handle;
    if (handle === undefined) return Promise.resolve();
    this.unmounting ??= this.resolveAddon()
      .unmount(handle)
      .then((result) => {
        this.unmountResult = result;
      });
    return this.unmounting;
  }

  drainFileEvents(): FileEvent[] {
    return this.handle === undefined ? [] : this.resolveAddon().drainFileEvents(this.handle);
  }

  counters(): NativeCounters {
    if (this.handle === undefined) {
      return { ops: {}, errors: {}, writes: 0, bytesWritten: 0, ringDropped: 0, fileEventsDropped: 0, largestWrite: 0 };
    }
    return this.resolveAddon().counters(this.handle);
  }

  consumerDone(dev: number, ino: number, lastHandle: number): void {
    if (this.handle !== undefined && this.unmounting === undefined) this.resolveAddon().consumerDone(this.handle, dev, ino, lastHandle);
  }

  punchIfIdle(dev: number, ino: number, fd: number, offset: number, length: number): number {
    if (this.handle === undefined || this.unmounting !== undefined) return -errnoOf('ENOTCONN'); // no longer serving (Node has no ESHUTDOWN)
    return this.resolveAddon().punchIfIdle(this.handle, dev, ino, fd, offset, length);
  }

  get tiers(): TierControl | null {
    const handle = this.handle;
    if (!handle?.tiered) return null;
    this.tierControl ??= tierControl(this.resolveAddon(), handle, () => this.unmounting === undefined);
    return this.tierControl;
  }

  /** After unmount: the unsynced bytes the final sync left in the RAM directory. */
  get unsyncedLeft(): number {
    return this.unmountResult?.unsyncedLeft ?? 0;
  }

  private resolveAddon(): NativeEngineAddon {
    if (this.addon !== undefined) return this.addon;
    const load = loadEngineAddon();
    if (!load.ok) throw new LogshadowError(ErrorCodes.ENGINE_UNAVAILABLE, load.reason);
    return load.addon;
  }
}
