import type { Command } from 'commander';
import { request } from '../../control/client';
import { DEFAULTS } from '../../config/mount-config';
import { ErrorCodes, isLogshadowError, LogshadowError } from '../../errors';
import { LOGSHADOW_FSTYPE, LOGSHADOW_TMPFS_SOURCE, topMountAt } from '../../util/mountinfo';
import { unmountPath } from '../../util/unmount';
import { failAndExit } from '../output';
import { targetOf, type Target } from '../target';
import { describeHolders, holdersOf } from '../../util/holders';
import { loadEngineAddon } from '../../engine/native/addon';
import { readRecord, recordPath } from '../../control/paths';
import { checkpointPath } from '../../daemon/checkpoint-file';
import { rmSync } from 'node:fs';
import { isRunning } from '../../util/process-state';

/** A final sync writes every tail to disk: on a slow card that takes a while. */
const FINAL_SYNC_WAIT_MS = 120_000;

interface UnmountFlags {
  discard?: boolean;
  force?: boolean;
  runDir: string;
}

export function registerUnmount(program: Command): void {
  program
    .command('unmount')
    .alias('umount')
    .description('stop serving a directory; its logs stay in the tmpfs unless --discard')
    .argument('<dir>', 'a logshadow mountpoint')
    .option('--discard', 'also unmount the tmpfs that logshadow created there (its logs are gone)')
    .option('--force', 'unmount even while programs hold files open there (their later writes fail)')
    .option('--run-dir <dir>', 'where control sockets live', DEFAULTS.runDir)
    .addHelpText('after', `
Examples:
  logshadow unmount /var/log/myapp          the logs stay in the tmpfs
  logshadow unmount /var/log/myapp --discard  and free their RAM
  logshadow unmount /var/log/myapp --force    even with programs writing there`)
    .action(async (dir: string, flags: UnmountFlags) => {
      try {
        const target = targetOf(dir, flags.runDir);
        if (!flags.force) refuseWhileInUse(target);
        const said = await unmountTarget(target);
        let discarded = false;
        if (flags.discard) discarded = await discardTmpfs(target.mountpoint);
        if (!said && !discarded) {
          throw new LogshadowError(ErrorCodes.NOT_MOUNTED, `${target.mountpoint} is not a logshadow mount`);
        }
        process.stdout.write(`logshadow: ${said ?? ''}${said && discarded ? '; ' : ''}${discarded ? 'tmpfs discarded' : ''}\n`);
      } catch (err) {
        failAndExit(err);
      }
    });
}

/**
 * A mount that applications still write into is not pulled from under them unasked: once it is
 * gone their next write fails (silently, for a logger). They are named, so that they can be
 * stopped or told to reopen their logs elsewhere first.
 */
function refuseWhileInUse(target: Target): void {
  const top = topMountAt(target.mountpoint);
  if (top?.fstype !== LOGSHADOW_FSTYPE) return;
  const holders = holdersOf(top.mountId, top.device);
  if (holders.length === 0) return;
  throw new LogshadowError(ErrorCodes.IN_USE, `${target.mountpoint} is in use: ${describeHolders(holders)} ${holders.length === 1 ? 'holds' : 'hold'} files open there, and would fail to write once it is unmounted; stop ${holders.length === 1 ? 'it' : 'them'} first, or unmount --force`);
}

/**
 * Asks the daemon to unmount and waits for the mount to go. Without a daemon, the native engine
 * is asked (it makes the final sync); a stale mount is removed directly.
 */
async function unmountTarget(target: Target): Promise<string | null> {
  if (topMountAt(target.mountpoint)?.fstype !== LOGSHADOW_FSTYPE) return null;
  const record = readRecord(target.runDir, target.mountpoint);
  try {
    await request(target.socket, 'unmount', {}, 5000);
  } catch (err) {
    // A daemon this user may not reach is not a dead one: its mount is not ours to pull away.
    if (isLogshadowError(err) && err.code === ErrorCodes.NOT_ROOT) throw err;
    const byEngine = await unmountByEngine(target);
    if (byEngine) return byEngine;
    const outcome = await unmountPath(target.mountpoint, true);
    return `${target.mountpoint} unmounted (no daemon answered; ${outcome.lazy ? 'detached lazily' : 'stale mount removed'})`;
  }
  const deadline = Date.now() + 20_000;
  while (topMountAt(target.mountpoint)?.fstype === LOGSHADOW_FSTYPE) {
    if (Date.now() > deadline) throw new LogshadowError(ErrorCodes.UNMOUNT_FAILED, `${target.mountpoint} is still mounted 20 s after the daemon was asked to unmount`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await finished(target, record ? [record.pid, record.enginePid ?? 0] : []);
  return `${target.mountpoint} unmounted`;
}

/**
 * The mount goes before its final sync ends and before a tiered mount's RAM side is taken down:
 * returning earlier would let a shutdown cut the power on tails not yet on disk.
 */
async function finished(target: Target, pids: readonly number[]): Promise<void> {
  const deadline = Date.now() + FINAL_SYNC_WAIT_MS;
  while (pids.some(isRunning)) {
    if (Date.now() > deadline) {
      throw new LogshadowError(ErrorCodes.UNMOUNT_FAILED, `${target.mountpoint} is unmounted, but its final sync has not ended ${FINAL_SYNC_WAIT_MS / 1000} s later (pids ${pids.filter(isRunning).join(', ')})`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** No daemon is attached, but the native engine serves: it unmounts, with the final sync, and ends. */
async function unmountByEngine(target: Target): Promise<string | null> {
  const load = loadEngineAddon();
  if (!target.engineSocket || !load.ok) return null;
  let handle;
  try {
    handle = load.addon.attach(target.engineSocket, 'observer', undefined);
  } catch {
    return null;
  }
  const enginePid = readRecord(target.runDir, target.mountpoint)?.enginePid ?? 0;
  let res;
  try {
    res = await load.addon.unmount(handle);
  } finally {
    load.addon.detach(handle);
  }
  await finished(target, [enginePid]);
  // what the daemon would have removed at its own teardown
  for (const file of [recordPath(target.runDir, target.mountpoint), target.socket, checkpointPath(target.runDir, target.mountpoint)]) rmSync(file, { force: true });
  const left = res.unsyncedLeft > 0 ? `; ${res.unsyncedLeft} unsynced bytes stay in RAM for the next mount` : '';
  return `${target.mountpoint} unmounted by its engine (no daemon was attached${res.lazy ? '; detached lazily' : ''}${left})`;
}

/** Only a tmpfs that logshadow itself mounted (recognised by its source name) is discarded. */
async function discardTmpfs(mountpoint: string): Promise<boolean> {
  const top = topMountAt(mountpoint);
  if (!top || top.fstype !== 'tmpfs') return false;
  if (top.source !== LOGSHADOW_TMPFS_SOURCE) {
    throw new LogshadowError(ErrorCodes.USAGE, `the tmpfs on ${mountpoint} was not created by logshadow; it is left in place`);
  }
  await unmountPath(mountpoint, true);
  return true;
}
