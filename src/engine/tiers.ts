/**
 * A tiered mount (see native/src/tier/tier.h): every regular file is a synced head on disk and an
 * unsynced tail in RAM. The engine syncs by itself (interval, size, RAM fullness, fsync, unmount);
 * this is what the daemon asks of it (severity and forecast triggers, `logshadow sync`) and what
 * it shows.
 */
export const SYNC_TRIGGERS = ['interval', 'size', 'fullness', 'severity', 'forecast', 'fsync', 'request', 'unmount'] as const;
export type SyncTrigger = (typeof SYNC_TRIGGERS)[number];

export interface TieredOptions {
  /** The RAM directory (a tmpfs that no application sees), opened before mounting. */
  ramDirFd: number;
  /** The unsynced total the syncs keep under; writers wait above it while syncs succeed. */
  maxUnsyncedBytes: number;
  /** Every byte is synced within about this long of landing. */
  syncIntervalMs: number;
  /** How long unmount waits for the final sync. */
  finalSyncMs: number;
  /** Reserve disk extents ahead of each disk copy's end. */
  diskReserve: boolean;
  /** Files served straight from the disk side (glob patterns; see tiering.h). */
  directPatterns: string[];
}

export interface FileIdentity {
  dev: number;
  ino: number;
}

export interface SyncOutcome {
  /** The errno code of a failed sync (ENOSPC, EIO, EROFS, ETIMEDOUT...), null when durable. */
  error: string | null;
  bytes: number;
  ms: number;
}

export interface TierFileStats extends FileIdentity {
  /** Path from the mount root ("" when the file has no name any more). */
  path: string;
  size: number;
  synced: number;
  unsyncedBytes: number;
  unsyncedAgeMs: number;
}

export interface TierTotals {
  /** What a power cut would lose right now. */
  unsyncedBytes: number;
  /** Age of the oldest unsynced byte, ms (0: none). */
  oldestUnsyncedMs: number;
  files: number;
  dirtyFiles: number;
  syncs: Record<SyncTrigger, number>;
  rounds: number;
  filesSynced: number;
  bytesSynced: number;
  /** Everything written to disk copies: tails, re-copies, write-through. */
  diskBytesWritten: number;
  writeThroughBytes: number;
  syncErrors: number;
  lastError: string | null;
  healthy: boolean;
  /** Wall clock ms of the last completed sync round; 0: none yet. */
  lastSyncAtMs: number;
  lastSyncDurationMs: number;
  /** Time spent in sync rounds, all told. */
  syncMs: number;
  lastSyncBytes: number;
  recoveredFiles: number;
  recoveredBytes: number;
  /** RAM copies left by a dead process that could not be tied to their disk file: kept, not synced. */
  unadoptedFiles: number;
  throttledWrites: number;
  throttledNow: number;
  throttledMs: number;
  reservedDiskBytes: number;
  ramCopiesDropped: number;
}

export interface TierControl {
  syncNow(file: FileIdentity | null, trigger: SyncTrigger, timeoutMs: number): Promise<SyncOutcome>;
  requestSync(file: FileIdentity | null, trigger: SyncTrigger): void;
  /** The forecast bytes a file gets between two syncs: sizes the disk extents reserved ahead of it. */
  reserveHint(file: FileIdentity, bytes: number): void;
  totals(): TierTotals;
  /** Up to `max` files, most unsynced first. */
  dirtyFiles(max: number): TierFileStats[];
}

/** A side's filesystem as statfs gives it (zeros when it cannot be read). */
export interface SideSpace {
  sizeBytes: number;
  freeBytes: number;
  usedBytes: number;
}

/** Syncs the daemon asked for, by the triggers only it can see (see SyncTriggers). */
export interface SyncsAsked {
  severity: number;
  forecast: number;
  fullness: number;
}

/**
 * The `durability` section of stats (docs/json.md). The daemon fills it; the metrics, the CLI
 * and the report read it, so it is declared here, beside the totals it mostly shows, where all of
 * them can see it without reaching up to the daemon.
 */
export type DurabilityStats =
  | { mode: 'ram-only'; unsyncedBytes: null; note: string }
  | {
      mode: 'tiered';
      diskDir: string;
      ramDir: string;
      maxUnsyncedBytes: number;
      syncIntervalMs: number;
      syncOn: string | null;
      unsyncedBytes: number;
      oldestUnsyncedSec: number;
      healthy: boolean;
      ram: SideSpace;
      disk: SideSpace;
      tieredFiles: number;
      filesWithTails: number;
      syncs: Record<SyncTrigger, number>;
      syncRounds: number;
      syncSec: number;
      filesSynced: number;
      bytesSynced: number;
      diskBytesWritten: number;
      writeThroughBytes: number;
      bytesLogged: number;
      writeAmplification: number | null;
      lastSync: { at: string; durationMs: number; bytes: number } | null;
      syncErrors: number;
      lastError: string | null;
      throttled: { writes: number; now: number; totalMs: number };
      recovered: { files: number; bytes: number; unadoptedFiles: number };
      reservedDiskBytes: number;
      daemonAsked: SyncsAsked | null;
      files: { path: string; sizeBytes: number; syncedBytes: number; unsyncedBytes: number; unsyncedAgeSec: number }[];
    };
