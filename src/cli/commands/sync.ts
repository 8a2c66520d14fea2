import type { Command } from 'commander';
import { DEFAULTS, parseDuration } from '../../config/mount-config';
import { ErrorCodes, LogshadowError } from '../../errors';
import { bytes } from '../../util/format';
import { failAndExit, printJson } from '../output';
import { askDaemon, requireMounted, targetOf } from '../target';

interface SyncFlags {
  json?: boolean;
  timeout: string;
  runDir: string;
}

interface SyncReply {
  mountpoint: string;
  error: string | null;
  bytes: number;
  ms: number;
  unsyncedBytes: number;
}

export function registerSync(program: Command): void {
  program
    .command('sync')
    .description('make every log tail of a tiered mount durable on disk now; returns once it is')
    .argument('<dir>', 'a logshadow mountpoint')
    .option('--json', 'print the outcome as JSON')
    .option('--timeout <duration>', 'give up after this long', '10m')
    .option('--run-dir <dir>', 'where control sockets live', DEFAULTS.runDir)
    .addHelpText('after', `
Examples:
  logshadow sync /var/log/myapp          before a planned power-off
  logshadow sync /var/log/myapp --json`)
    .action(async (dir: string, flags: SyncFlags) => {
      try {
        const timeoutMs = parseDuration(flags.timeout, '--timeout');
        const target = targetOf(dir, flags.runDir);
        requireMounted(target);
        const reply = await askDaemon<SyncReply>(target, 'sync', { timeoutMs }, timeoutMs + 5000);
        if (flags.json) printJson(reply);
        if (reply.error) {
          throw new LogshadowError(ErrorCodes.SYNC_FAILED, `${reply.mountpoint}: the sync failed (${reply.error}); ${bytes(reply.unsyncedBytes)} stay in RAM only, and the syncs keep retrying`);
        }
        if (!flags.json) {
          process.stdout.write(`logshadow: ${reply.mountpoint}: ${bytes(reply.bytes)} synced in ${reply.ms.toFixed(1)} ms; durable on disk\n`);
        }
      } catch (err) {
        failAndExit(err);
      }
    });
}
