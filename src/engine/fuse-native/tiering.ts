import type { Stats } from 'node:fs';
import type { TierControl, TieredOptions } from '../tiers';
import { loadTiersAddon, tierControl, type TierRef, type TiersAddon, type TiersHandle } from '../native/tiers-addon';
import { ErrorCodes, LogshadowError } from '../../errors';
import { errnoOf } from '../../util/errno';

const ENOSPC = errnoOf('ENOSPC');
/** How often a write waiting for a sync looks again (the sync thread clears the throttle). */
const WAIT_MS = 5;

/** A glob of --direct as fnmatch(3) reads it without flags: `*` and `?` match `/` too. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const c of glob) re += c === '*' ? '.*' : c === '?' ? '.' : /[\\^$.|+(){}[\]]/.test(c) ? `\\${c}` : c;
  return new RegExp(`^${re}$`);
}

/** What fuse-native keeps of one tiered handle. */
interface Attached {
  tier: TierRef;
  dev: number;
  ino: number;
}

/**
 * The fuse-native engine's side of a tiered mount: the same tier core as the native engine's
 * (native/src/tier/, through logshadow_tiers), called from the JavaScript operations. Operations
 * run one at a time on this thread, so the only concurrency is the core's own sync thread, which
 * the core's locks cover. Files matching --direct are served from the disk side, as the native
 * engine serves them (but without shared mmap: libfuse 2 opens every file with direct I/O here).
 */
export class FuseTiers {
  readonly control: TierControl;
  private readonly byFd = new Map<number, Attached>();
  private readonly direct: RegExp[];
  private closed = false;
  unsyncedLeft = 0;

  private constructor(private readonly addon: TiersAddon, private readonly h: TiersHandle, private readonly options: TieredOptions) {
    this.direct = options.directPatterns.map(globToRegExp);
    this.control = tierControl(addon, h, () => !this.closed);
  }

  static open(diskFd: number, options: TieredOptions): FuseTiers {
    const loaded = loadTiersAddon();
    if (!loaded.ok) throw new LogshadowError(ErrorCodes.ENGINE_UNAVAILABLE, `a tiered mount needs the tiers addon: ${loaded.reason}`);
    const h = loaded.addon.open({
      diskFd, ramDirFd: options.ramDirFd, maxUnsynced: options.maxUnsyncedBytes,
      syncIntervalMs: options.syncIntervalMs, diskReserve: options.diskReserve,
    });
    return new FuseTiers(loaded.addon, h, options);
  }

  /** Whether the regular file at `path` (from the mount root) goes through the tiers. */
  wants(path: string): boolean {
    const base = path.slice(path.lastIndexOf('/') + 1);
    return !this.direct.some((re, i) => re.test(this.options.directPatterns[i].includes('/') ? path : base));
  }

  /** After the handle fd of a regular file was opened: its tier (null: served from disk). */
  attach(fd: number, st: Stats, writer: boolean): TierRef | null {
    const tier = this.addon.get(this.h, fd, writer);
    if (tier) this.byFd.set(fd, { tier, dev: st.dev, ino: st.ino });
    return tier;
  }

  of(fd: number): TierRef | undefined {
    return this.byFd.get(fd)?.tier;
  }

  /** The handle fd is released: its reference goes (a synced, closed file's RAM copy with it). */
  detach(fd: number): void {
    const a = this.byFd.get(fd);
    if (!a) return;
    this.byFd.delete(fd);
    this.addon.put(this.h, a.tier);
  }

  /** Writes into the tail, waiting while the syncs are behind; `done` gets bytes or -errno. */
  write(tier: TierRef, buf: Buffer, pos: number, done: (n: number) => void): void {
    const attempt = (): void => {
      if (this.addon.throttled(this.h)) {
        setTimeout(attempt, WAIT_MS);
        return;
      }
      const n = this.addon.write(this.h, tier, buf, pos);
      if (n === -ENOSPC && this.addon.mayWait(this.h)) setTimeout(attempt, WAIT_MS);
      else done(n);
    };
    attempt();
  }

  read(tier: TierRef, buf: Buffer, pos: number): number {
    return this.addon.read(this.h, tier, buf, pos);
  }

  truncate(tier: TierRef, size: number): number {
    return this.addon.truncate(this.h, tier, size);
  }

  /** With the tier of (dev, ino), if there is one; a reference held for the call. */
  withTier<T>(dev: number, ino: number, use: (tier: TierRef) => T): T | undefined {
    const tier = this.addon.find(this.h, dev, ino);
    if (!tier) return undefined;
    try {
      return use(tier);
    } finally {
      this.addon.put(this.h, tier);
    }
  }

  /** A regular file's attributes as the mount shows them: its own size and latest write times. */
  attributes(st: Stats, fd?: number): Stats {
    if (!st.isFile()) return st;
    const a = fd === undefined ? undefined : this.byFd.get(fd);
    const own = a ? this.addon.attributes(this.h, a.tier, st.mtimeMs, st.ctimeMs, st.blocks)
      : this.withTier(st.dev, st.ino, (t) => this.addon.attributes(this.h, t, st.mtimeMs, st.ctimeMs, st.blocks));
    if (!own) return st;
    // fuse-native reads these fields by name (its getStatArray): a plain object will do
    return { ...st, size: own.size ?? st.size, mtime: new Date(own.mtimeMs), ctime: new Date(own.ctimeMs), blocks: own.blocks, isFile: () => true } as unknown as Stats;
  }

  /** [RAM copy, disk copy] for an open event; [-1, -1] without a RAM copy. */
  eventFds(tier: TierRef): [number, number] {
    return this.addon.eventFds(this.h, tier);
  }

  utimes(tier: TierRef, atimeMs: number, mtimeMs: number): void {
    this.addon.utimes(this.h, tier, atimeMs, mtimeMs);
  }

  /** The object at `path` (from the mount root) changed names or metadata: durable next round. */
  changed(path: string): void {
    this.addon.changed(this.h, path.replace(/^\/+/, ''));
  }

  gone(dev: number, ino: number): void {
    this.addon.gone(this.h, dev, ino);
  }

  /** An application's fsync: resolves once the file's tail is durable (0), or -errno. */
  async fsync(fd: number): Promise<number> {
    const a = this.byFd.get(fd);
    if (!a) return 0;
    const outcome = await this.addon.syncNow(this.h, a.dev, a.ino, 'fsync', 10 * 60_000);
    return outcome.error ? -errnoOf(outcome.error === 'ETIMEDOUT' ? 'EIO' : outcome.error) : 0;
  }

  /** The final sync; what it left in the RAM directory stays in unsyncedLeft. */
  async close(deadlineMs: number): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const fd of [...this.byFd.keys()]) this.detach(fd);
    this.unsyncedLeft = await this.addon.close(this.h, deadlineMs);
  }
}
