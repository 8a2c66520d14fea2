import type { DurabilityStats } from '../daemon/durability-stats';
import { bytes, duration, fit } from './format';

/**
 * What a power cut would lose right now, in a few lines for `stats` and `top`: the headline is
 * the unsynced total and its age; then the syncs, and loudly whatever is wrong.
 */
export function durabilityLines(d: DurabilityStats, width = 80): string[] {
  if (d.mode === 'ram-only') return ['durability  RAM only: a reboot or a power cut loses every log (mount over a disk directory, or --persist, to keep them)'];
  const lines: string[] = [];
  const ram = d.ram.sizeBytes > 0 ? `, RAM ${bytes(d.ram.usedBytes)} of ${bytes(d.ram.sizeBytes)}` : '';
  lines.push(fit(`durability  tiered: history in ${d.diskDir}${ram}`, width).trimEnd());
  const age = d.unsyncedBytes > 0 ? `, oldest ${duration(d.oldestUnsyncedSec)}` : '';
  lines.push(`  unsynced ${bytes(d.unsyncedBytes)} (a power cut now loses this)${age}; limit ${bytes(d.maxUnsyncedBytes)}, every ${duration(d.syncIntervalMs / 1000)}${d.syncOn ? `, at once on ${d.syncOn}` : ''}`);
  const by = Object.entries(d.syncs).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || 'none yet';
  const last = d.lastSync ? `; last ${duration((Date.now() - Date.parse(d.lastSync.at)) / 1000)} ago, ${bytes(d.lastSync.bytes)} in ${d.lastSync.durationMs.toFixed(1)} ms` : '';
  const amp = d.writeAmplification !== null ? `; disk writes ${d.writeAmplification.toFixed(2)}x logged` : '';
  lines.push(`  synced ${bytes(d.bytesSynced)} (${by})${last}${amp}`);
  if (d.files.length) {
    const tails = d.files.slice(0, 4).map((f) => `${f.path} ${bytes(f.unsyncedBytes)} (${duration(f.unsyncedAgeSec)})`).join(', ');
    const line = `  tails: ${tails}${d.files.length > 4 ? ', …' : ''}`;
    lines.push(line.length > width ? line.slice(0, width - 1) + '…' : line);
  }
  if (!d.healthy) lines.push(`  SYNCS FAILING (${d.lastError ?? 'error'}, ${d.syncErrors} so far): the logs stay in RAM and writes go on while it lasts; the syncs retry`);
  if (d.throttled.now > 0) lines.push(`  ${d.throttled.now} write${d.throttled.now === 1 ? '' : 's'} waiting for a sync (max-unsynced reached)`);
  if (d.recovered.files > 0) lines.push(`  adopted ${d.recovered.files} tail${d.recovered.files === 1 ? '' : 's'} (${bytes(d.recovered.bytes)}) left by a daemon that died`);
  return lines;
}
