import type { Command } from 'commander';
import { request } from '../../control/client';
import { DEFAULTS } from '../../config/mount-config';
import { ErrorCodes, isLogshadowError, LogshadowError } from '../../errors';
import { LOGSHADOW_FSTYPE, LOGSHADOW_TMPFS_SOURCE, topMountAt } from '../../util/mountinfo';
import { unmountPath } from '../../util/unmount';
import { failAndExit } from '../output';
import { targetOf, type Target } from '../target';

interface UnmountFlags {
  discard?: boolean;
  runDir: string;
}

export function registerUnmount(program: Command): void {
  program
    .command('unmount')
    .alias('umount')
    .description('stop serving a directory; its logs stay in the tmpfs unless --discard')
    .argument('<dir>', 'a logshadow mountpoint')
    .option('--discard', 'also unmount the tmpfs that logshadow created there (its logs are gone)')
    .option('--run-dir <dir>', 'where control sockets live', DEFAULTS.runDir)
    .addHelpText('after', `
Examples:
  logshadow unmount /var/log/myapp          the logs stay in the tmpfs
  logshadow unmount /var/log/myapp --discard  and free their RAM`)
    .action(async (dir: string, flags: UnmountFlags) => {
      try {
        const target = targetOf(dir, flags.runDir);
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

/** Asks the daemon to unmount and waits for the mount to go; recovers a stale mount directly. */
async function unmountTarget(target: Target): Promise<string | null> {
  if (topMountAt(target.mountpoint)?.fstype !== LOGSHADOW_FSTYPE) return null;
  try {
    await request(target.socket, 'unmount', {}, 5000);
  } catch (err) {
    // A daemon this user may not reach is not a dead one: its mount is not ours to pull away.
    if (isLogshadowError(err) && err.code === ErrorCodes.NOT_ROOT) throw err;
    const outcome = await unmountPath(target.mountpoint, true);
    return `${target.mountpoint} unmounted (no daemon answered; ${outcome.lazy ? 'detached lazily' : 'stale mount removed'})`;
  }
  const deadline = Date.now() + 20_000;
  while (topMountAt(target.mountpoint)?.fstype === LOGSHADOW_FSTYPE) {
    if (Date.now() > deadline) throw new LogshadowError(ErrorCodes.UNMOUNT_FAILED, `${target.mountpoint} is still mounted 20 s after the daemon was asked to unmount`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return `${target.mountpoint} unmounted`;
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
