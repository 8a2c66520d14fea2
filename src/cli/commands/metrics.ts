import type { Command } from 'commander';
import { DEFAULTS, parsePositiveInt } from '../../config/mount-config';
import { failAndExit } from '../output';
import { askDaemon, requireMounted, targetOf } from '../target';

interface MetricsFlags {
  maxStreams?: string;
  runDir: string;
}

export function registerMetrics(program: Command): void {
  program
    .command('metrics')
    .description('the mount\'s metrics in the Prometheus text format (what mount --metrics-listen serves)')
    .argument('<dir>', 'a logshadow mountpoint')
    .option('--max-streams <n>', 'files with their own label; the rest sum under file="(other)" (default: the mount\'s --metrics-max-streams)')
    .option('--run-dir <dir>', 'where control sockets live', DEFAULTS.runDir)
    .addHelpText('after', `
Examples:
  logshadow metrics /var/log/myapp
  logshadow metrics /var/log/myapp | grep '^logshadow_tmpfs'
  logshadow metrics /var/log/myapp > /var/lib/node_exporter/textfile/ls.prom
  logshadow mount /var/log/myapp --metrics-listen 9464
  curl -s localhost:9464/metrics`)
    .action(async (dir: string, flags: MetricsFlags) => {
      try {
        const maxStreams = flags.maxStreams === undefined ? undefined : parsePositiveInt(flags.maxStreams, '--max-streams');
        const target = targetOf(dir, flags.runDir);
        requireMounted(target);
        const reply = await askDaemon<{ text: string }>(target, 'metrics', maxStreams === undefined ? {} : { maxStreams });
        process.stdout.write(reply.text);
      } catch (err) {
        failAndExit(err);
      }
    });
}
