import type { SyncsAsked, TierControl } from '../engine/tiers';
import type { Logger } from '../util/logger';
import type { Profiler } from '../profile/profiler';
import type { FilesystemShadow } from '../shadow/shadow-log';

export interface SyncTriggerOptions {
  maxUnsyncedBytes: number;
  syncIntervalMs: number;
  refreshMs: number;
  horizonMs: number;
  /** --warn-full, seconds. */
  warnFullSec: number;
}

/**
 * The triggers of a tiered mount's syncs that need what only the daemon knows; the engine keeps
 * its own (interval, size at half the limit, RAM fullness, fsync, unmount) with or without a
 * daemon. Severity: a line at or above --sync-on makes its file's tail durable within a tick plus
 * the sync. Forecast: the forecast rate says the unsynced total passes the limit before a sync
 * started now would end, so the sync starts before, not after. Fullness: the RAM side is forecast
 * to fill within --warn-full.
 */
export class SyncTriggers {
  private lastForecastMs = -Infinity;
  private lastFullnessMs = -Infinity;
  private healthy = true;
  readonly asked: SyncsAsked = { severity: 0, forecast: 0, fullness: 0 };

  constructor(private readonly tiers: TierControl, private readonly options: SyncTriggerOptions, private readonly logger: Logger) {}

  afterTick(profiler: Profiler, fs: FilesystemShadow, nowMs: number): void {
    this.hintReservations(profiler);
    const totals = this.tiers.totals();
    this.watchHealth(totals.healthy, totals.lastError, totals.unsyncedBytes);
    for (const inode of profiler.takeSevere()) {
      if (!Number.isFinite(inode.dev)) continue;
      this.tiers.requestSync({ dev: inode.dev, ino: inode.ino }, 'severity');
      this.asked.severity++;
    }
    const { maxUnsyncedBytes, refreshMs, horizonMs, warnFullSec } = this.options;
    if (totals.unsyncedBytes === 0) return;
    // Asked at most once a tick: a sync in flight answers the next one.
    const lead = refreshMs + totals.lastSyncDurationMs;
    const coming = (fs.bytes.p90[1] / horizonMs) * lead;
    if (totals.unsyncedBytes + coming >= maxUnsyncedBytes && nowMs - this.lastForecastMs >= refreshMs) {
      this.tiers.requestSync(null, 'forecast');
      this.asked.forecast++;
      this.lastForecastMs = nowMs;
    }
    const ttf = fs.timeToFullSec.atP95;
    if (ttf !== null && ttf < warnFullSec && nowMs - this.lastFullnessMs >= refreshMs) {
      this.tiers.requestSync(null, 'fullness');
      this.asked.fullness++;
      this.lastFullnessMs = nowMs;
    }
  }

  /**
   * The disk extents reserved ahead of each open file are sized from its forecast: the upper
   * bound of what it writes between two syncs. Told again only when it changed by half or more.
   */
  private hintReservations(profiler: Profiler): void {
    const { horizonMs, syncIntervalMs } = this.options;
    for (const inode of profiler.knownInodes()) {
      const f = inode.stream.forecast;
      if (!f || inode.openHandles === 0 || !Number.isFinite(inode.dev)) continue;
      const bytes = Math.round(f.bytes.q95 * (Math.min(syncIntervalMs, 10 * horizonMs) / horizonMs));
      if (bytes <= 0 || (inode.diskHint > 0 && Math.abs(bytes - inode.diskHint) < inode.diskHint / 2)) continue;
      inode.diskHint = bytes;
      this.tiers.reserveHint({ dev: inode.dev, ino: inode.ino }, bytes);
    }
  }

  /** Loud once when the disk side stops taking syncs, and once when it takes them again. */
  private watchHealth(healthy: boolean, lastError: string | null, unsyncedBytes: number): void {
    if (healthy === this.healthy) return;
    this.healthy = healthy;
    if (healthy) this.logger.info('syncs to the disk side succeed again', { unsyncedBytes });
    else this.logger.warn(`syncs to the disk side fail (${lastError ?? 'error'}): the logs stay in RAM, writes go on while it lasts, and the syncs retry`, { unsyncedBytes, error: lastError });
  }
}
