import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { MountRecord } from './protocol';

/**
 * Each mount has a control socket and a small registry record in the run directory, named from
 * the mountpoint so any CLI invocation can find them from the directory alone.
 */
export function mountKey(mountpoint: string): string {
  const slug = basename(mountpoint).replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 24) || 'root';
  const hash = createHash('sha256').update(mountpoint).digest('hex').slice(0, 12);
  return `${slug}-${hash}`;
}

export function socketPath(runDir: string, mountpoint: string): string {
  return join(runDir, `${mountKey(mountpoint)}.sock`);
}

export function recordPath(runDir: string, mountpoint: string): string {
  return join(runDir, `${mountKey(mountpoint)}.json`);
}

/** The native engine process's socket (native/src/link/protocol.h). */
export function engineSocketPath(runDir: string, mountpoint: string): string {
  return join(runDir, `${mountKey(mountpoint)}.engine`);
}

/** The pid file of the process that holds the mount (the engine process; systemd's PIDFile=). */
export function pidFilePath(runDir: string, mountpoint: string): string {
  return join(runDir, `${mountKey(mountpoint)}.pid`);
}

/** Where a daemon in the background logs unless --log-file says otherwise. */
export function daemonLogPath(runDir: string, mountpoint: string): string {
  return join(runDir, `${mountKey(mountpoint)}.log`);
}

export function readRecord(runDir: string, mountpoint: string): MountRecord | null {
  const file = recordPath(runDir, mountpoint);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as MountRecord;
  } catch {
    return null;
  }
}
