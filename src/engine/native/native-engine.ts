import type { CacheMode, Engine, EngineMountOptions, FileEvent, FileGoneHandler } from '../engine';
import type { TierControl } from '../tiers';
import { tierControl } from './tiers-addon';
import { ErrorCodes, LogshadowError } from '../../errors';
import { WriteRing } from '../../ring/write-ring';
import { errnoOf } from '../../util/errno';
import {
  loadEngineAddon,
  type NativeCounters,
  type NativeEngineAddon,
  type NativeEngineHandle,
  type NativeUnmountResult,
} from './addon';

export interface NativeEngineOptions extends EngineMountOptions {
  /** Serve extended attributes (off by default; see NativeMountOptions.xattr for the cost). */
  xattr?: boolean;
}

/**
 * The fast engine: a C addon on libfuse 3 serving every operation on its own threads. Its ring
 * is the addon's memory seen through an ArrayBuffer, so `ring` exists once mount() resolved.
 * mount() blocks the calling thread until the kernel has completed FUSE_INIT (milliseconds);
 * unmount() runs off the JavaScript thread.
 */
export class NativeEngine implements Engine {
  readonly name = 'native' as const;
  readonly knowsCaller = true;
  readonly cache: CacheMode;
  private handle: NativeEngineHandle | undefined;
  private writeRing: WriteRing | undefined;
  private unmounting: Promise<void> | undefined;
  private unmountResult: NativeUnmountResult | undefined;
  private goneHandler: FileGoneHandler | undefined;
  private tierControl: TierControl | undefined;

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

  /** What the kernel agreed to at mount time. */
  get mounted(): Omit<NativeEngineHandle, 'ring'> | undefined {
    const h = this.handle;
    return h && { mountpoint: h.mountpoint, device: h.device, maxWrite: h.maxWrite, writeback: h.writeback, xattr: h.xattr, tiered: h.tiered };
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
    try {
      this.handle = addon.mount({
        mountpoint: o.mountpoint,
        backingFd: o.backingFd,
        cache: o.cache,
        maxWrite: o.maxWrite,
        ringCapacity: o.ringCapacity,
        debug: o.debug,
        xattr: o.xattr ?? false,
        fsname: 'logshadow',
        subtype: 'logshadow',
        ...(o.tiered && {
          ramDirFd: o.tiered.ramDirFd,
          maxUnsynced: o.tiered.maxUnsyncedBytes,
          syncIntervalMs: o.tiered.syncIntervalMs,
          finalSyncMs: o.tiered.finalSyncMs,
          diskReserve: o.tiered.diskReserve,
          directPatterns: o.tiered.directPatterns.join('\n'),
        }),
      });
    } catch (err) {
      throw new LogshadowError(ErrorCodes.MOUNT_FAILED, `cannot mount ${o.mountpoint}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    this.writeRing = new WriteRing(this.handle.ring);
    if (this.goneHandler) addon.onFileGone(this.handle, this.goneHandler);
  }

  onFileGone(handler: FileGoneHandler): void {
    if (this.goneHandler) throw new LogshadowError(ErrorCodes.INTERNAL, "the file-gone handler is already set");
    this.goneHandler = handler;
    if (this.handle !== undefined) this.resolveAddon().onFileGone(this.handle, handler);
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
    if (this.handle === undefined || this.unmounting !== undefined) return -errnoOf('ESHUTDOWN');
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
