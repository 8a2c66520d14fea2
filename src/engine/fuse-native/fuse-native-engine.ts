import type { CacheMode, Engine, EngineCounters, EngineMountOptions, FileEvent, FileGoneHandler } from '../engine';
import { ErrorCodes, LogshadowError } from '../../errors';
import { WriteRing } from '../../ring/write-ring';
import { loadNativeAlloc } from '../native/alloc-addon';
import { errnoOf } from '../../util/errno';
import { unmountPath } from '../../util/unmount';
import { LOGSHADOW_FSTYPE, topMountAt } from '../../util/mountinfo';
import { OpContext } from './context';
import { buildOps } from './op-table';
import { PatchedFuse } from './patched-fuse';
import { FuseTiers } from './tiering';
import type { TierControl } from '../tiers';

/**
 * The reference engine: every operation runs in JavaScript on fuse-native (libfuse 2). Correct
 * and simple, but each request crosses from a FUSE thread to the event loop and back, which is
 * why the native engine exists (docs/architecture.md). It cannot know the caller, and has no
 * writeback mode.
 */
export class FuseNativeEngine implements Engine {
  readonly name = 'fuse-native' as const;
  readonly cache: CacheMode = 'writethrough';
  readonly knowsCaller = false;
  readonly ring: WriteRing;
  /** A tiered mount's tails (tiering.ts), or null. */
  private readonly tiering: FuseTiers | null;
  private readonly ctx: OpContext;
  private readonly fuse: PatchedFuse;
  private mounted = false;
  /**
   * Our own kernel mount, as /proc/self/mountinfo numbers it. The mountpoint is usually a tmpfs
   * holding every log: once our mount is gone (umount -l from outside), an unmount by path would
   * take that tmpfs instead, so teardown unmounts only while the top mount is still this one.
   */
  private mountId: number | null = null;
  /**
   * Requests are served on this JavaScript thread, and the daemon exits right after teardown:
   * once unmounted, nothing it does synchronously can race a request.
   */
  stoppedServing = false;

  constructor(private readonly options: EngineMountOptions) {
    if (options.cache !== 'writethrough') {
      throw new LogshadowError(ErrorCodes.USAGE, 'the fuse-native engine supports only --cache writethrough (libfuse 2 has no writeback cache); use --engine native');
    }
    this.ring = new WriteRing(options.ringCapacity);
    this.ctx = new OpContext(options.backingPath, this.ring);
    this.tiering = options.tiered ? FuseTiers.open(options.backingFd, options.tiered) : null;
    this.ctx.tiers = this.tiering;
    // fuse-native joins its options into one -o string, so libfuse options it does not expose
    // ride inside fsname. hard_remove is deliberately absent: fuse-native cannot
    // serve a request without a path, so an open file that is unlinked or renamed over lives on
    // as libfuse 2's .fuse_hidden file until its last descriptor closes. nonempty: shadowing a
    // directory that already holds logs is the point (libfuse 3 no longer asks). direct_io: the
    // kernel's page-cache write path splits a write that crosses a page boundary into two
    // requests (Linux 6.x stops a request at a partly written page), so the profiler would count
    // writes the application never made; with direct I/O each write(2) is one request. use_ino:
    // stat reports the backing file's inode number, so two hard links of one file show one inode
    // (libfuse 2 numbers its nodes by name). attr_timeout=0: libfuse 2 gives each name its own
    // kernel inode, so a chmod or a link count changed through one name would stay stale through
    // the other for a second; the price is a GETATTR where the kernel would have used its cache.
    const hidden = ['big_writes', `max_write=${options.maxWrite}`, 'nonempty', 'direct_io', 'use_ino', 'attr_timeout=0'];
    this.fuse = new PatchedFuse(options.mountpoint, buildOps(this.ctx), {
      allowOther: true,
      defaultPermissions: true,
      fsname: ['logshadow', ...hidden].join(','),
      subtype: 'logshadow',
      debug: options.debug,
      // An honest passthrough never invents ETIMEDOUT for a slow backing call.
      timeout: false,
    });
  }

  mount(): Promise<void> {
    // Operations name backing files relative to the working directory (OpContext.backing): this
    // process serves one mount and resolves every other path of its own as an absolute path.
    process.chdir(this.options.backingPath);
    return new Promise((resolve, reject) => {
      this.fuse.mount((err) => {
        if (err) {
          reject(new LogshadowError(ErrorCodes.MOUNT_FAILED, `libfuse refused to mount ${this.options.mountpoint}: ${err.message} (its reason, if any, is on stderr above)`));
          return;
        }
        this.mounted = true;
        const top = topMountAt(this.options.mountpoint);
        this.mountId = top?.fstype === LOGSHADOW_FSTYPE ? top.mountId : null;
        resolve();
      });
    });
  }

  async unmount(): Promise<void> {
    if (this.mounted) {
      this.mounted = false;
      if (this.ownsTopMount()) await unmountPath(this.options.mountpoint, true);
      await new Promise<void>((resolve) => this.fuse.unmount(() => resolve()));
      this.stoppedServing = true;
    }
    // No request can reach a tail any more: the final sync, bounded; what it leaves stays in RAM.
    await this.tiering?.close(this.options.tiered?.finalSyncMs ?? 0);
  }

  /** Whether the topmost mount at the mountpoint is still the one this engine made. */
  private ownsTopMount(): boolean {
    return this.mountId !== null && topMountAt(this.options.mountpoint)?.mountId === this.mountId;
  }

  get tiers(): TierControl | null {
    return this.tiering?.control ?? null;
  }

  get unsyncedLeft(): number {
    return this.tiering?.unsyncedLeft ?? 0;
  }

  drainFileEvents(): FileEvent[] {
    return this.ctx.takeEvents();
  }

  onFileGone(handler: FileGoneHandler): void {
    this.ctx.fileGone = handler;
  }

  /** Its data path runs on this thread: it cannot be lost while this process lives. */
  onLost(): void {}

  /** Asking costs this engine no thread hop (its operations run on this thread): it always asks. */
  consumerDone(): void {}

  /**
   * Atomic by construction: operations run on this one JavaScript thread, so no open can
   * register a writer (nor its reply reach the caller) while this synchronous call runs.
   */
  punchIfIdle(dev: number, ino: number, fd: number, offset: number, length: number): number {
    if (this.ctx.hasWriters(`${dev}:${ino}`)) return -errnoOf('EBUSY');
    const alloc = loadNativeAlloc();
    return alloc.ok ? alloc.addon.punchHole(fd, offset, length) : -errnoOf('ENOSYS');
  }

  counters(): EngineCounters {
    const c = this.ctx.counters;
    return { ...c, ops: { ...c.ops }, errors: { ...c.errors }, ringDropped: this.ring.dropped };
  }
}
