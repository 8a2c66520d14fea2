import type { FileIdentity, SyncOutcome, SyncTrigger, TierControl, TierFileStats, TierTotals } from '../tiers';
import { loadNativeAddon, type AddonLoad } from './addon';

/**
 * logshadow_tiers: the tiered mount's core (native/src/tier/) without the native engine, so
 * without libfuse: the fuse-native engine's tiered files are served through it, and `logshadow
 * recover` syncs a dead mount's RAM tails with it. A tier is an opaque reference its owner puts.
 */
export type TiersHandle = { readonly __tiers: unique symbol };
export type TierRef = { readonly __tier: unique symbol };

export interface TiersOpenOptions {
  diskFd: number;
  ramDirFd: number;
  maxUnsynced: number;
  syncIntervalMs: number;
  diskReserve: boolean;
}

export interface TiersAddon {
  open(options: TiersOpenOptions): TiersHandle;
  /** The final sync, bounded; resolves to the unsynced bytes left in the RAM directory. */
  close(h: TiersHandle, deadlineMs: number): Promise<number>;
  /** The tier of the file behind fd (a reference to put); null when it cannot be tiered. */
  get(h: TiersHandle, fd: number, forWriting: boolean): TierRef | null;
  find(h: TiersHandle, dev: number, ino: number): TierRef | null;
  put(h: TiersHandle, t: TierRef): void;
  /** Bytes, or -errno. */
  write(h: TiersHandle, t: TierRef, buf: Buffer, offset: number): number;
  read(h: TiersHandle, t: TierRef, buf: Buffer, offset: number): number;
  truncate(h: TiersHandle, t: TierRef, size: number): number;
  /** The file's own size and times over its disk copy's (size absent without a RAM copy). */
  attributes(h: TiersHandle, t: TierRef, diskMtimeMs: number, diskCtimeMs: number, diskBlocks: number): { size?: number; mtimeMs: number; ctimeMs: number; blocks: number };
  utimes(h: TiersHandle, t: TierRef, atimeMs: number, mtimeMs: number): number;
  /** [RAM copy, disk copy], read-only, for an open event; [-1, -1] without a RAM copy. */
  eventFds(h: TiersHandle, t: TierRef): [number, number];
  throttled(h: TiersHandle): boolean;
  mayWait(h: TiersHandle): boolean;
  /** The object at `path` (relative to the disk directory) changed names or metadata. */
  changed(h: TiersHandle, path: string): void;
  gone(h: TiersHandle, dev: number, ino: number): void;
  recover(diskFd: number, ramDirFd: number): Promise<{ files: number; bytes: number }>;
  syncNow(h: TiersHandle, dev: number, ino: number, trigger: SyncTrigger, timeoutMs: number): Promise<SyncOutcome>;
  requestSync(h: TiersHandle, dev: number, ino: number, trigger: SyncTrigger): void;
  reserveHint(h: TiersHandle, dev: number, ino: number, bytes: number): void;
  tierStats(h: TiersHandle, maxFiles: number): TierTotals & { list: TierFileStats[] };
}

let tiers: AddonLoad<TiersAddon> | undefined;

export function loadTiersAddon(): AddonLoad<TiersAddon> {
  tiers ??= loadNativeAddon<TiersAddon>('logshadow_tiers', ['open', 'close', 'get', 'put', 'write', 'read', 'recover', 'syncNow', 'tierStats']);
  return tiers;
}

/**
 * The daemon's view of tiers (TierControl) over either addon: both export the same four
 * functions, taking their own kind of handle first.
 */
export interface TierFunctions<H> {
  syncNow(h: H, dev: number, ino: number, trigger: SyncTrigger, timeoutMs: number): Promise<SyncOutcome>;
  requestSync(h: H, dev: number, ino: number, trigger: SyncTrigger): void;
  reserveHint(h: H, dev: number, ino: number, bytes: number): void;
  tierStats(h: H, maxFiles: number): TierTotals & { list: TierFileStats[] };
}

export function tierControl<H>(addon: TierFunctions<H>, handle: H, live: () => boolean): TierControl {
  const id = (file: FileIdentity | null): [number, number] => (file ? [file.dev, file.ino] : [-1, 0]);
  return {
    syncNow: (file, trigger, timeoutMs) => addon.syncNow(handle, ...id(file), trigger, timeoutMs),
    requestSync: (file, trigger) => {
      if (live()) addon.requestSync(handle, ...id(file), trigger);
    },
    reserveHint: (file, bytes) => {
      if (live()) addon.reserveHint(handle, file.dev, file.ino, bytes);
    },
    // asked for no file: its list is empty
    totals: () => addon.tierStats(handle, 0),
    dirtyFiles: (max) => addon.tierStats(handle, max).list,
  };
}
