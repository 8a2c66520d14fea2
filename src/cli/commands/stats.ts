import type { Command } from 'commander';
import { request } from '../../control/client';
import { DEFAULTS } from '../../config/mount-config';
import { failAndExit, printJson } from '../output';
import { requireMounted, targetOf } from '../target';

interface StatsFlags {
  json?: boolean;
  runDir: string;
}

interface StatsReply {
  mountpoint: string;
  engine: string;
  cache: string;
  totals: { writes: number; bytes: number; files: number };
  droppedRecords: number;
}

export function registerStats(program: Command): void {
  program
    .command('stats')
    .description('what the daemon has seen written through a mount')
    .argument('<dir>', 'a logshadow mountpoint')
    .option('--json', 'everything, as JSON (schema logshadow.stats/1)')
    .option('--run-dir <dir>', 'where control sockets live', DEFAULTS.runDir)
    .addHelpText('after', `
Examples:
  logshadow stats /var/log/myapp
  logshadow stats /var/log/myapp --json | jq .totals`)
    .action(async (dir: string, flags: StatsFlags) => {
      try {
        const target = targetOf(dir, flags.runDir);
        requireMounted(target);
        const stats = await request<StatsReply>(target.socket, 'stats');
        if (flags.json) return printJson(stats);
        const t = stats.totals;
        process.stdout.write(
          `${stats.mountpoint}  engine ${stats.engine}, cache ${stats.cache}\n` +
            `writes ${t.writes}  bytes ${t.bytes}  files ${t.files}  dropped records ${stats.droppedRecords}\n`,
        );
      } catch (err) {
        failAndExit(err);
      }
    });
}
