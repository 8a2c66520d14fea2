import { SYNC_TRIGGERS, type DurabilityStats } from '../engine/tiers';
import type { Exposition } from './exposition';

/**
 * A tiered mount's durability as metrics: what a power cut would lose now (the alert to set is
 * on logshadow_unsynced_bytes and logshadow_sync_healthy), what the syncs did and cost. A
 * RAM-only mount has only logshadow_tiered 0: everything it holds is lost at a reboot.
 */
export function renderDurability(e: Exposition, d: DurabilityStats | undefined): void {
  const tiered = d?.mode === 'tiered' ? d : null;
  e.single('logshadow_tiered', 'gauge', '1 when the mount keeps its history on disk (tiered), 0 when it is RAM only.', tiered ? 1 : 0);
  if (!tiered) return;
  e.single('logshadow_unsynced_bytes', 'gauge', 'Bytes written but not yet durable on disk: what a power cut now would lose.', tiered.unsyncedBytes);
  e.single('logshadow_unsynced_age_seconds', 'gauge', 'Age of the oldest unsynced byte (0: none).', tiered.oldestUnsyncedSec);
  e.single('logshadow_max_unsynced_bytes', 'gauge', 'The unsynced total the syncs keep under (--max-unsynced).', tiered.maxUnsyncedBytes);
  e.single('logshadow_sync_healthy', 'gauge', '1 while syncs to the disk side succeed; 0 after a failure until one succeeds.', tiered.healthy ? 1 : 0);
  const syncs = e.family('logshadow_syncs_total', 'counter', 'Sync rounds and requests, by what triggered them.');
  for (const trigger of SYNC_TRIGGERS) syncs.sample(tiered.syncs[trigger] ?? 0, { trigger });
  e.single('logshadow_sync_errors_total', 'counter', 'Sync rounds that failed (disk full, read-only, I/O errors).', tiered.syncErrors);
  e.single('logshadow_synced_bytes_total', 'counter', 'Tail bytes copied to the disk side and made durable.', tiered.bytesSynced);
  e.single('logshadow_disk_written_bytes_total', 'counter', 'Bytes written to disk copies: tails, re-copies and writes below the synced boundary.', tiered.diskBytesWritten);
  e.single('logshadow_sync_last_duration_seconds', 'gauge', 'How long the last sync round took.', (tiered.lastSync?.durationMs ?? 0) / 1000);
  e.single('logshadow_sync_last_timestamp_seconds', 'gauge', 'Unix time of the last completed sync round (0: none).', tiered.lastSync ? Date.parse(tiered.lastSync.at) / 1000 : 0);
  e.single('logshadow_throttled_writes_total', 'counter', 'Writes that waited for a sync because the unsynced total reached its limit.', tiered.throttled.writes);
  e.single('logshadow_throttled_seconds_total', 'counter', 'Time writes spent waiting for a sync.', tiered.throttled.totalMs / 1000);
  e.single('logshadow_ram_used_bytes', 'gauge', 'RAM side in use: unsynced tails and reservations ahead of them.', tiered.ram.usedBytes);
  e.single('logshadow_disk_free_bytes', 'gauge', 'Free space on the disk side.', tiered.disk.freeBytes);
  const files = e.family('logshadow_file_unsynced_bytes', 'gauge', 'Unsynced bytes per file (the files holding the most).');
  for (const f of tiered.files) files.sample(f.unsyncedBytes, { file: f.path });
}
