import type { Command } from 'commander';
import { parseChoice } from '../../config/mount-config';
import { runDoctor, formatReport } from '../../doctor/doctor';
import type { EngineWanted } from '../../doctor/checks';
import { ExitCodes } from '../../errors';
import { failAndExit, printJson } from '../output';

interface DoctorFlags {
  json?: boolean;
  engine: string;
  /** commander turns --no-mount-probe into mountProbe: false. */
  mountProbe: boolean;
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check that this machine (or container) has what a mount needs, with a fix for each gap')
    .option('--json', 'the checks as JSON (schema logshadow.doctor/1)')
    .option('--engine <name>', 'the engine to check for: auto (either is enough), native, fuse-native', 'auto')
    .option('--no-mount-probe', 'do not try mounting a 1 MiB tmpfs in a temporary directory')
    .addHelpText('after', `
Exit status: 0 when a mount can work here (warnings allowed), 3 when a required
check failed.

Examples:
  logshadow doctor                     every check, with a fix for each failure
  logshadow doctor --engine native     require the native (libfuse 3) engine
  logshadow doctor --json | jq '.checks[] | select(.status != "ok")'`)
    .action(async (flags: DoctorFlags) => {
      try {
        const engine = parseChoice<EngineWanted>(flags.engine, ['auto', 'native', 'fuse-native'], '--engine');
        const report = await runDoctor({ engine, mountProbe: flags.mountProbe });
        if (flags.json) printJson(report);
        else process.stdout.write(formatReport(report));
        if (!report.ready) {
          const failed = report.checks.filter((c) => c.status === 'fail').map((c) => c.title);
          process.stderr.write(`logshadow: not ready to mount: ${failed.join(', ')} (see the fixes above)\n`);
          process.exitCode = ExitCodes.ENVIRONMENT;
        }
      } catch (err) {
        failAndExit(err);
      }
    });
}
