import { statfsSync } from 'node:fs';
import type { MountConfig } from '../config/mount-config';
import type { Engine } from '../engine/engine';
import type { DurabilityStats, SideSpace } from '../engine/tiers';
import { maxUnsyncedOf } from './create-engine';
import type { PreparedMount } from './prepare-mountpoint';
import type { SyncTriggers } from './sync-triggers';

/** Files listed by name in `stats`, most unsynced first. */
const LISTED_FILES = 20;

function space(path: string): SideSpace {
  try {
    const st = statfsSync(path);
    return { sizeBytes: st.blocks * st.bsize, freeBytes: st.bavail * st.bsize, usedBytes: (st.blocks - st.bfree) * st.bsize };
  } catch {
    return { sizeBytes: 0, freeBytes: 0, usedBytes: 0 };
  }
}

/**
 * The `durability` section of stats (docs/json.md): what a power cut would lose right now, how
 * old it is, where the two sides are and how full, what the syncs did and what they cost.
 */
export function durabilityStats(config: MountConfig, prepared: PreparedMount | null, engine: Engine, triggers: SyncTriggers | null): DurabilityStats {
  const tiers = engine.tiers;
  if (!prepared?.tiered || !tiers) {
    return { mode: 'ram-only', unsyncedBytes: null, note: 'nothing is written to disk: a reboot or a power cut loses every log' };
  }
  const t = tiers.totals();
  const logged = engine.counters().bytesWritten;
  return {
    mode: 'tiered',
    diskDir: prepared.tiered.diskDir,
    ramDir: prepared.tiered.ramDir,
    maxUnsyncedBytes: maxUnsyncedOf(config),
    syncIntervalMs: config.syncIntervalMs,
    syncOn: config.syncOn,
    unsyncedBytes: t.unsyncedBytes,
    oldestUnsyncedSec: t.oldestUnsyncedMs / 1000,
    healthy: t.healthy,
    ram: space(prepared.tiered.ramPath),
    disk: space(prepared.backingPath),
    tieredFiles: t.files,
    filesWithTails: t.dirtyFiles,
    syncs: t.syncs,
    syncRounds: t.rounds,
    syncSec: t.syncMs / 1000,
    filesSynced: t.filesSynced,
    bytesSynced: t.bytesSynced,
    diskBytesWritten: t.diskBytesWritten,
    writeThroughBytes: t.writeThroughBytes,
    bytesLogged: logged,
    writeAmplification: logged > 0 ? t.diskBytesWritten / logged : null,
    lastSync: t.lastSyncAtMs > 0
      ? { at: new Date(t.lastSyncAtMs).toISOString(), durationMs: t.lastSyncDurationMs, bytes: t.lastSyncBytes }
      : null,
    syncErrors: t.syncErrors,
    lastError: t.lastError,
    throttled: { writes: t.throttledWrites, now: t.throttledNow, totalMs: t.throttledMs },
    recovered: { files: t.recoveredFiles, bytes: t.recoveredBytes, unadoptedFiles: t.unadoptedFiles },
    reservedDiskBytes: t.reservedDiskBytes,
    daemonAsked: triggers?.asked ?? null,
    files: tiers.dirtyFiles(LISTED_FILES).map((f) => ({
      path: f.path || '(removed)', sizeBytes: f.size, syncedBytes: f.synced, unsyncedBytes: f.unsyncedBytes, unsyncedAgeSec: f.unsyncedAgeMs / 1000,
    })),
  };
}
