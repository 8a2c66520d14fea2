import type { DurabilityStats } from '../engine/tiers';
import { bytes, duration, fit, joinWrapped } from '../util/format';

/**
 * What a power cut would lose right now, in a few lines for `stats`: the headline is the
 * unsynced total and its age; then the syncs, and loudly whatever is wrong. Every line fits
 * `width` columns.
 */
export function durabilityLines(d: DurabilityStats, width = 80): string[] {
  if (d.mode === 'ram-only') return joinWrapped(['durability: RAM only', 'a reboot or a power cut loses every log'], width);
  const head = `durability: tiered, history in `;
  const segments = [
    head + fit(d.diskDir, Math.max(10, width - head.length - 1)).trimEnd(),
    `RAM ${bytes(d.ram.usedBytes)} of ${bytes(d.ram.sizeBytes)}`,
    `unsynced ${bytes(d.unsyncedBytes)} (a power cut now loses it)${d.unsyncedBytes > 0 ? `, oldest ${duration(d.oldestUnsyncedSec)}` : ''}`,
    `limit ${bytes(d.maxUnsyncedBytes)}`,
    `sync every ${duration(d.syncIntervalMs / 1000)}${d.syncOn ? ` and at once on ${d.syncOn}` : ''}`,
    `synced ${bytes(d.bytesSynced)} (${Object.entries(d.syncs).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || 'none yet'})`,
  ];
  if (d.lastSync) segments.push(`last ${duration((Date.now() - Date.parse(d.lastSync.at)) / 1000)} ago, ${bytes(d.lastSync.bytes)} in ${d.lastSync.durationMs.toFixed(1)} ms`);
  if (d.writeAmplification !== null) segments.push(`disk writes ${d.writeAmplification.toFixed(2)}x logged`);
  if (!d.healthy) segments.push(`SYNCS FAILING (${d.lastError ?? 'error'}, ${d.syncErrors} so far): logs stay in RAM, writes go on, syncs retry`);
  if (d.throttled.now > 0) segments.push(`${d.throttled.now} write${d.throttled.now === 1 ? '' : 's'} waiting for a sync`);
  if (d.recovered.files > 0) segments.push(`adopted ${d.recovered.files} tail${d.recovered.files === 1 ? '' : 's'} (${bytes(d.recovered.bytes)}) left by a daemon that died`);
  for (const f of d.files.slice(0, 4)) segments.push(`tail ${fit(f.path, 30).trimEnd()} ${bytes(f.unsyncedBytes)} (${duration(f.unsyncedAgeSec)})`);
  return joinWrapped(segments, width);
}
