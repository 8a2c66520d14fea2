import { closeSync, constants, openSync, readdirSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from './cli';
import type { MountHandle } from './mount';
import { mountKey } from '../../src/control/paths';

/**
 * The disk side of a tiered mount, seen from the test process through a descriptor of the
 * directory opened before the mount covered it (the test never serves the mount, so reading
 * there is safe): what is durable on disk right now, not what the mount shows.
 */
export class DiskView {
  private fd = -1;

  /** Call from startMount's `prepare`, before the mount covers `dir`. */
  open(dir: string): void {
    this.fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  }

  path(name = ''): string {
    if (this.fd < 0) throw new Error('DiskView.open was not called before mounting');
    // by pid, not "self": child processes of the test reach it too
    return join(`/proc/${process.pid}/fd/${this.fd}`, name);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/** The RAM side of a tiered mount: where it is and how much of it is in use. */
export function ramDirOf(m: MountHandle): string {
  return join(m.runDir, 'ram', mountKey(m.dir));
}

export function ramUsedBytes(m: MountHandle): number {
  const st = statfsSync(ramDirOf(m));
  return (st.blocks - st.bfree) * st.bsize;
}

export function ramFiles(m: MountHandle): string[] {
  return readdirSync(ramDirOf(m));
}

export interface DurabilityJson {
  mode: string;
  unsyncedBytes: number;
  oldestUnsyncedSec: number;
  healthy: boolean;
  syncs: Record<string, number>;
  syncErrors: number;
  lastError: string | null;
  bytesSynced: number;
  diskBytesWritten: number;
  writeAmplification: number | null;
  writeThroughBytes: number;
  throttled: { writes: number; now: number; totalMs: number };
  recovered: { files: number; bytes: number };
  files: { path: string; unsyncedBytes: number }[];
}

export function durability(m: MountHandle): DurabilityJson {
  const r = cli(['stats', m.dir, '--json', '--run-dir', m.runDir]);
  if (r.status !== 0) throw new Error(`stats failed (${r.status}): ${r.stderr}\n${m.log()}`);
  return (JSON.parse(r.stdout) as { durability: DurabilityJson }).durability;
}

export function syncNow(m: MountHandle): { bytes: number; ms: number; error: string | null } {
  const r = cli(['sync', m.dir, '--json', '--run-dir', m.runDir]);
  if (r.status !== 0) throw new Error(`sync failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as { bytes: number; ms: number; error: string | null };
}
