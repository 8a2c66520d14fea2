import { closeSync, constants, existsSync, openSync } from 'node:fs';
import type { Command } from 'commander';
import { request } from '../../control/client';
import { DEFAULTS } from '../../config/mount-config';
import { createLogger } from '../../util/logger';
import { ramDirOf, removeRamSide, resolveDirectory } from '../../daemon/prepare-mountpoint';
import { loadTiersAddon } from '../../engine/native/tiers-addon';
import { ErrorCodes, LogshadowError } from '../../errors';
import { LOGSHADOW_FSTYPE, topMountAt } from '../../util/mountinfo';
import { unmountPath } from '../../util/unmount';
import { bytes } from '../../util/format';
import { failAndExit } from '../output';
import { canonicalDir, targetOf } from '../target';

interface RecoverFlags {
  persist?: string;
  runDir: string;
}

export function registerRecover(program: Command): void {
  program
    .command('recover')
    .description('sync the RAM tails a dead tiered mount left behind into its disk directory, without mounting')
    .argument('<dir>', 'the directory the tiered mount served')
    .option('--persist <dir>', 'its disk directory, if it was mounted with --persist')
    .option('--run-dir <dir>', 'where control sockets live', DEFAULTS.runDir)
    .addHelpText('after', `
Examples:
  logshadow recover /var/log/myapp       after kill -9, without mounting again
  logshadow recover /var/log --persist /var/hdd.log`)
    .action(async (dir: string, flags: RecoverFlags) => {
      try {
        process.stdout.write(`logshadow: ${await recover(dir, flags)}\n`);
      } catch (err) {
        failAndExit(err);
      }
    });
}

async function recover(dir: string, flags: RecoverFlags): Promise<string> {
  if (process.getuid?.() !== 0) throw new LogshadowError(ErrorCodes.NOT_ROOT, 'logshadow recover needs root (it opens files by handle): run it with sudo');
  const target = targetOf(dir, flags.runDir);
  const mountpoint = canonicalDir(dir);
  if (topMountAt(mountpoint)?.fstype === LOGSHADOW_FSTYPE) {
    const alive = await request(target.socket, 'ping', {}, 2000).then(() => true, () => false);
    if (alive) throw new LogshadowError(ErrorCodes.ALREADY_MOUNTED, `${mountpoint} is mounted and served: its tails are synced by the mount itself (logshadow sync ${mountpoint})`);
    await unmountPath(mountpoint, true); // the dead mount: the disk directory shows again
  }
  const ramDir = ramDirOf(flags.runDir, mountpoint);
  if (!existsSync(ramDir) || topMountAt(ramDir)?.fstype !== 'tmpfs') return `${mountpoint}: no RAM side left behind (${ramDir}); nothing to recover`;
  const diskDir = resolveDirectory(flags.persist ?? mountpoint, 'disk directory');
  const loaded = loadTiersAddon();
  if (!loaded.ok) throw new LogshadowError(ErrorCodes.ENGINE_UNAVAILABLE, `recovery needs the native addon: ${loaded.reason}`);
  const diskFd = openSync(diskDir, constants.O_RDONLY | constants.O_DIRECTORY);
  const ramFd = openSync(ramDir, constants.O_RDONLY | constants.O_DIRECTORY);
  let outcome: { files: number; bytes: number };
  try {
    outcome = await loaded.addon.recover(diskFd, ramFd);
  } catch (err) {
    throw new LogshadowError(ErrorCodes.SYNC_FAILED, `${mountpoint}: ${(err as Error).message}`);
  } finally {
    closeSync(diskFd);
    closeSync(ramFd);
  }
  const gone = await removeRamSide(ramDir, createLogger('error', null));
  return `${mountpoint}: ${outcome.files} file${outcome.files === 1 ? '' : 's'} recovered, ${bytes(outcome.bytes)} synced into ${diskDir}${gone ? '' : ` (the RAM side at ${ramDir} could not be removed)`}`;
}
