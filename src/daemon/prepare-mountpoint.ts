import { closeSync, constants, mkdirSync, openSync, realpathSync, rmdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { MountConfig } from '../config/mount-config';
import { mountKey, readRecord } from '../control/paths';
import type { MountRecord } from '../control/protocol';
import { ErrorCodes, LogshadowError } from '../errors';
import { checkBackingTmpfs } from '../config/memory-bound';
import { isCharDevice, isEmptyDir, isRamfs, isTmpfs, statWithTimeout } from '../util/fs-probe';
import { LOGSHADOW_FSTYPE, LOGSHADOW_TMPFS_SOURCE, topMountAt } from '../util/mountinfo';
import { errorCode } from '../util/errno';
import { findProgram, run } from '../util/run';
import { unmountPath } from '../util/unmount';
import type { Logger } from '../util/logger';
import { NativeEngine } from '../engine/native/native-engine';
import { engineStatus } from '../engine/native/engine-status';

/** The backing store, reachable by this process after the FUSE mount covers the directory. */
export interface PreparedMount {
  mountpoint: string;
  backingFd: number;
  backingPath: string;
  /** The backing directory as a user would name it, for display. */
  backingDisplay: string;
  ownTmpfs: boolean;
  /** A tiered mount's RAM side (the backing directory is then the disk side); null: RAM only. */
  tiered: TieredSide | null;
  /**
   * The native engine already serving this mount, attached to: its daemon went away and this one
   * takes over (the descriptors above came from it). null: a new mount.
   */
  attached: NativeEngine | null;
  /** Undoes what preparation did (used when mounting fails): nothing half-made stays behind. */
  undo(): Promise<void>;
}

export interface TieredSide {
  /** The disk directory: names, metadata and the synced heads. */
  diskDir: string;
  /** The RAM directory: a tmpfs of --size under the run directory, holding the unsynced tails. */
  ramDir: string;
  ramFd: number;
  /** Where the RAM directory can be reached by path from this process. */
  ramPath: string;
}

/** The source name of a RAM side's tmpfs in /proc/mounts. */
export const LOGSHADOW_RAM_SOURCE = 'logshadow-ram';

/** Where a tiered mount keeps its tails: under the run directory, never under the mountpoint. */
export function ramDirOf(runDir: string, mountpoint: string): string {
  return join(runDir, 'ram', mountKey(mountpoint));
}

export function checkEnvironment(): void {
  if (!isCharDevice('/dev/fuse')) {
    throw new LogshadowError(ErrorCodes.NO_FUSE, 'no /dev/fuse: load the module (modprobe fuse), or give the container --device /dev/fuse');
  }
  if (process.getuid?.() !== 0) {
    throw new LogshadowError(ErrorCodes.NOT_ROOT, 'logshadow mount needs root (it mounts tmpfs and FUSE with allow_other): run it with sudo');
  }
}

export function resolveDirectory(dir: string, what: string): string {
  let real: string;
  try {
    real = realpathSync(dir);
  } catch (err) {
    // A stale FUSE mount (its daemon died) answers ENOTCONN; mounting again recovers it.
    if (errorCode(err) === 'ENOTCONN' && topMountAt(resolve(dir))?.fstype === LOGSHADOW_FSTYPE) return resolve(dir);
    throw new LogshadowError(ErrorCodes.NO_DIRECTORY, `${what} ${dir} does not exist: create it first (mkdir -p ${dir})`);
  }
  if (!statSync(real).isDirectory()) throw new LogshadowError(ErrorCodes.NO_DIRECTORY, `${what} ${dir} is not a directory`);
  return real;
}

/**
 * Readies a directory for an in-place mount: recovers a stale logshadow mount, refuses a live
 * one, and picks the backing store (the tmpfs the directory is on, a fresh tmpfs mounted there,
 * or --backing).
 */
export async function prepareMountpoint(config: MountConfig, logger: Logger): Promise<PreparedMount> {
  const mountpoint = config.mountpoint;
  const live = await recoverOrRefuseExisting(mountpoint, config.runDir, logger);
  if (live) return attachToEngine(config, live, logger);
  const diskDir = diskSideOf(config);
  if (diskDir) return prepareTiered(config, diskDir, logger);

  let ownTmpfs = false;
  let backingDir = mountpoint;
  if (config.backing) {
    backingDir = resolveDirectory(config.backing, 'backing directory');
    if (backingDir === mountpoint) throw new LogshadowError(ErrorCodes.BAD_BACKING, '--backing must be a different directory from the mountpoint');
    if (!isEmptyDir(mountpoint)) {
      throw new LogshadowError(ErrorCodes.NOT_EMPTY, `${mountpoint} is not empty and the mount would hide its files: empty it or mount without --backing`);
    }
  } else if (!isTmpfs(mountpoint)) {
    if (!isEmptyDir(mountpoint)) {
      throw new LogshadowError(ErrorCodes.NOT_EMPTY, `${mountpoint} is not empty and not on tmpfs: move its files away first (copying logs into RAM is not supported yet), or use --backing`);
    }
    await mountTmpfs(mountpoint, config.tmpfsSizeBytes);
    ownTmpfs = true;
    logger.info('mounted a fresh tmpfs', { mountpoint, sizeBytes: config.tmpfsSizeBytes });
  }

  if (!ownTmpfs) checkBackingTmpfs(backingDir, isTmpfs(backingDir));

  let backingFd: number;
  try {
    backingFd = openSync(backingDir, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch (err) {
    if (ownTmpfs) await removeFreshTmpfs(mountpoint, logger);
    throw new LogshadowError(ErrorCodes.BAD_BACKING, `cannot open ${backingDir}: ${(err as Error).message}`);
  }
  return {
    mountpoint,
    backingFd,
    backingPath: `/proc/self/fd/${backingFd}`,
    backingDisplay: backingDir,
    ownTmpfs,
    tiered: null,
    attached: null,
    async undo() {
      closeSync(backingFd);
      if (ownTmpfs) await removeFreshTmpfs(mountpoint, logger);
    },
  };
}

/**
 * The disk directory of a tiered mount, or null for a RAM-only one: --persist's directory; else
 * the mountpoint itself when it is on a persistent filesystem (anything but tmpfs and ramfs).
 */
function diskSideOf(config: MountConfig): string | null {
  const { persist, mountpoint } = config;
  if (persist === 'off') return null;
  if (persist === 'auto') return isTmpfs(mountpoint) || isRamfs(mountpoint) ? null : mountpoint;
  if (isTmpfs(persist.dir) || isRamfs(persist.dir)) {
    throw new LogshadowError(ErrorCodes.BAD_PERSIST, `--persist ${persist.dir} is in RAM (tmpfs or ramfs): it cannot keep logs across a reboot; name a directory on a disk`);
  }
  if (!isEmptyDir(mountpoint)) {
    throw new LogshadowError(ErrorCodes.NOT_EMPTY, `${mountpoint} is not empty and the mount would hide its files behind those of ${persist.dir}: move them into ${persist.dir} first`);
  }
  return persist.dir;
}

/**
 * A tiered mount: the disk directory is reached through a descriptor opened before the mount
 * covers it (as the in-place mode does), and the tails go to a tmpfs of --size under the run
 * directory. A RAM side left by a daemon that died is kept as it is: the engine adopts its tails.
 */
async function prepareTiered(config: MountConfig, diskDir: string, logger: Logger): Promise<PreparedMount> {
  const ramDir = ramDirOf(config.runDir, config.mountpoint);
  mkdirSync(ramDir, { recursive: true, mode: 0o700 });
  const top = topMountAt(ramDir);
  if (top?.fstype === 'tmpfs') {
    logger.warn('adopting the RAM side left by an earlier daemon: its unsynced tails are synced now', { ramDir });
  } else {
    await mountTmpfs(ramDir, config.tmpfsSizeBytes, LOGSHADOW_RAM_SOURCE, { mode: 0o700, uid: 0, gid: 0 });
  }
  let diskFd = -1;
  let ramFd = -1;
  try {
    diskFd = openSync(diskDir, constants.O_RDONLY | constants.O_DIRECTORY);
    ramFd = openSync(ramDir, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch (err) {
    if (diskFd >= 0) closeSync(diskFd);
    await removeRamSide(ramDir, logger);
    throw new LogshadowError(ErrorCodes.BAD_PERSIST, `cannot open ${diskFd < 0 ? diskDir : ramDir}: ${(err as Error).message}`);
  }
  return {
    mountpoint: config.mountpoint,
    backingFd: diskFd,
    backingPath: `/proc/self/fd/${diskFd}`,
    backingDisplay: diskDir,
    ownTmpfs: false,
    tiered: { diskDir, ramDir, ramFd, ramPath: `/proc/self/fd/${ramFd}` },
    attached: null,
    async undo() {
      closeSync(diskFd);
      closeSync(ramFd);
      await removeRamSide(ramDir, logger);
    },
  };
}

/**
 * Takes a RAM side away once it holds no tail (everything synced): its tmpfs and its directory.
 * One that still holds tails is kept for the next mount or `logshadow recover`; returns whether
 * it went.
 */
export async function removeRamSide(ramDir: string, logger: Logger): Promise<boolean> {
  const top = topMountAt(ramDir);
  if (top && (top.fstype !== 'tmpfs' || top.source !== LOGSHADOW_RAM_SOURCE)) return false;
  if (top && !isEmptyDir(ramDir)) return false;
  try {
    if (top) await unmountPath(ramDir, false);
    rmdirSync(ramDir);
    return true;
  } catch (err) {
    logger.error('cannot remove the RAM side', { ramDir, error: (err as Error).message });
    return false;
  }
}

/**
 * Takes back the tmpfs this mount made for itself when the mount could not start. Only that
 * tmpfs (the top mount at the path, logshadow's source name) and only while it holds nothing:
 * a log written into it in the meantime keeps it, and a failure to unmount is reported, never
 * swallowed.
 */
export async function removeFreshTmpfs(mountpoint: string, logger: Logger): Promise<void> {
  const top = topMountAt(mountpoint);
  if (top?.fstype !== 'tmpfs' || top.source !== LOGSHADOW_TMPFS_SOURCE) return;
  if (!isEmptyDir(mountpoint)) {
    logger.warn('keeping the tmpfs made for this mount: files were written into it', { mountpoint });
    return;
  }
  try {
    await unmountPath(mountpoint, false);
  } catch (err) {
    logger.error('cannot remove the tmpfs made for this mount', { mountpoint, error: (err as Error).message });
  }
}

/**
 * A logshadow mount already at the mountpoint: a stale one (its engine died) is taken down; one
 * whose native engine serves without a daemon (the daemon died) is returned, to attach to; any
 * other is refused.
 */
async function recoverOrRefuseExisting(mountpoint: string, runDir: string, logger: Logger): Promise<MountRecord | null> {
  const top = topMountAt(mountpoint);
  if (!top || !top.fstype.startsWith('fuse')) return null;
  if (top.fstype !== LOGSHADOW_FSTYPE) {
    throw new LogshadowError(ErrorCodes.ALREADY_MOUNTED, `${mountpoint} is already a ${top.fstype} mount: unmount it first`);
  }
  const probe = await statWithTimeout(mountpoint, 3000);
  if (probe.ok) {
    const record = readRecord(runDir, mountpoint);
    const engine = record?.engineSocket ? engineStatus(record.engineSocket) : null;
    if (record && engine && engine.daemonPid === 0 && !engine.ended && !engine.unmounted) return record;
    const who = engine ? `engine pid ${engine.enginePid}${engine.daemonPid ? `, daemon pid ${engine.daemonPid}` : ''}` : record?.pid ? `daemon pid ${record.pid}` : '';
    throw new LogshadowError(ErrorCodes.ALREADY_MOUNTED, `${mountpoint} is already a logshadow mount${who ? ` (${who})` : ''}: run logshadow unmount ${mountpoint} first`);
  }
  // ENOTCONN: the process that served it died ("Transport endpoint is not connected").
  logger.warn('recovering a stale logshadow mount left by a daemon that died', { mountpoint, error: probe.code });
  await unmountPath(mountpoint, true);
  return null;
}

/**
 * The native engine still serves the mount, and no daemon is attached to it: this daemon takes
 * over. The engine's options stand (they are the mount's); the directories come from it.
 */
async function attachToEngine(config: MountConfig, record: MountRecord, logger: Logger): Promise<PreparedMount> {
  const engine = new NativeEngine({
    mountpoint: config.mountpoint, backingFd: -1, backingPath: '', cache: config.cache, maxWrite: config.maxWrite,
    ringCapacity: config.ringCapacity, debug: config.debugFuse, attach: true,
    process: { socketPath: record.engineSocket!, pidFile: null, ramDir: record.ramDir ?? null, daemonCommand: null, daemonLog: null },
  });
  await engine.mount();
  const dirs = engine.directories!;
  logger.info('attached to the engine serving the mount; what was written meanwhile is read from the files', {
    mountpoint: config.mountpoint, enginePid: engine.mounted?.enginePid, recordsSkipped: engine.attachedAt?.skipped,
  });
  return {
    mountpoint: config.mountpoint,
    backingFd: dirs.backingFd,
    backingPath: `/proc/self/fd/${dirs.backingFd}`,
    backingDisplay: record.backing,
    ownTmpfs: record.ownTmpfs,
    tiered: record.diskDir && record.ramDir && dirs.ramDirFd >= 0
      ? { diskDir: record.diskDir, ramDir: record.ramDir, ramFd: dirs.ramDirFd, ramPath: `/proc/self/fd/${dirs.ramDirFd}` }
      : null,
    attached: engine,
    async undo() {
      closeSync(dirs.backingFd);
      if (dirs.ramDirFd >= 0) closeSync(dirs.ramDirFd);
    },
  };
}

async function mountTmpfs(dir: string, sizeBytes: number, source = LOGSHADOW_TMPFS_SOURCE, owner?: { mode: number; uid: number; gid: number }): Promise<void> {
  const mount = findProgram('mount');
  if (!mount) throw new LogshadowError(ErrorCodes.MOUNT_FAILED, 'mount(8) not found: install util-linux');
  // By default the tmpfs root takes the directory's own owner and mode, so permissions do not change.
  const st = owner ?? statSync(dir);
  // nosuid,nodev: a log directory has no business holding set-id programs or device nodes.
  const opts = `size=${sizeBytes},mode=${(st.mode & 0o7777).toString(8)},uid=${st.uid},gid=${st.gid},nosuid,nodev`;
  const res = await run(mount, ['-t', 'tmpfs', '-o', opts, source, dir]);
  if (res.code !== 0) {
    throw new LogshadowError(ErrorCodes.MOUNT_FAILED, `cannot mount a tmpfs on ${dir}: ${res.stderr.trim() || `mount exited ${res.code}`}`);
  }
}
