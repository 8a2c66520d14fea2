import { resolve } from 'node:path';
import { readRecord, socketPath } from '../control/paths';
import { ErrorCodes, LogshadowError } from '../errors';
import { LOGSHADOW_FSTYPE, topMountAt } from '../util/mountinfo';
import { DEFAULTS } from '../config/mount-config';
import { realpathSync } from 'node:fs';

/**
 * Which daemon serves a directory. realpath is avoided on purpose where it would stat through
 * the mount: a stale mount answers ENOTCONN and must still be found.
 */
export interface Target {
  mountpoint: string;
  socket: string;
  runDir: string;
}

export function canonicalDir(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return resolve(dir);
  }
}

export function targetOf(dir: string, runDir = DEFAULTS.runDir): Target {
  const mountpoint = canonicalDir(dir);
  const record = readRecord(runDir, mountpoint);
  return { mountpoint, runDir, socket: record?.socket ?? socketPath(runDir, mountpoint) };
}

/** Fails with LS_NOT_MOUNTED unless a logshadow mount sits on the directory. */
export function requireMounted(target: Target): void {
  if (topMountAt(target.mountpoint)?.fstype !== LOGSHADOW_FSTYPE) {
    throw new LogshadowError(ErrorCodes.NOT_MOUNTED, `${target.mountpoint} is not a logshadow mount (see logshadow list)`);
  }
}
