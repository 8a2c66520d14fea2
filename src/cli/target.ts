import { resolve } from 'node:path';
import { readRecord, socketPath } from '../control/paths';
import { ErrorCodes, isLogshadowError, LogshadowError } from '../errors';
import { request } from '../control/client';
import type { NativeEngineStatus } from '../engine/native/addon';
import { engineStatus } from '../engine/native/engine-status';
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
  /** The native engine's socket, when the record names one. */
  engineSocket: string | null;
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
  return { mountpoint, runDir, socket: record?.socket ?? socketPath(runDir, mountpoint), engineSocket: record?.engineSocket ?? null };
}

/** What the native engine serving the target says of itself, or null (none, or not native). */
export function engineOf(target: Target): NativeEngineStatus | null {
  return target.engineSocket ? engineStatus(target.engineSocket) : null;
}

/** "the engine starts one in 4 s, or " (nothing when it will not start one). */
export function nextDaemonIn(e: NativeEngineStatus): string {
  return e.nextStartMs >= 0 ? `the engine starts one in ${Math.ceil(e.nextStartMs / 1000)} s, or ` : '';
}

/** While no daemon is attached, the engine goes on serving: what a person is told then. */
export function noDaemonMessage(target: Target, e: NativeEngineStatus): string {
  return `no daemon is attached to the engine serving ${target.mountpoint} (engine pid ${e.enginePid}; applications write on, nothing is profiled meanwhile): ${nextDaemonIn(e)}run logshadow mount ${target.mountpoint} to attach one`;
}

/**
 * One request to the daemon. When none answers but the native engine still serves the mount,
 * the error says so (the mount is fine; its daemon is away) instead of "no daemon answers".
 */
export async function askDaemon<T>(target: Target, method: string, params: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<T> {
  try {
    return await request<T>(target.socket, method, params, timeoutMs);
  } catch (err) {
    const engine = isLogshadowError(err) && err.code === ErrorCodes.DAEMON_UNREACHABLE ? engineOf(target) : null;
    if (engine && engine.daemonPid === 0) throw new LogshadowError(ErrorCodes.DAEMON_UNREACHABLE, noDaemonMessage(target, engine));
    throw err;
  }
}

/** Fails with LS_NOT_MOUNTED unless a logshadow mount sits on the directory. */
export function requireMounted(target: Target): void {
  if (topMountAt(target.mountpoint)?.fstype !== LOGSHADOW_FSTYPE) {
    throw new LogshadowError(ErrorCodes.NOT_MOUNTED, `${target.mountpoint} is not a logshadow mount (see logshadow list)`);
  }
}
