import { readFileSync } from 'node:fs';
import {
  checkAllocAddon, checkDevFuse, checkLibfuse2, checkLibfuse3, checkNativeEngine, checkNode, checkPrivileges, checkTmpfs,
  checkUnmountHelper, type CheckResult, type EngineWanted,
} from './checks';
import { checkDeadMounts } from './dead-mounts';

export interface DoctorOptions {
  /** Which engine the mount will ask for: with auto, either engine is enough. */
  engine: EngineWanted;
  /** Mount and unmount a 1 MiB tmpfs to prove mount(2) is allowed (only when privileged). */
  mountProbe: boolean;
}

export interface DoctorReport {
  schema: 'logshadow.doctor/1';
  engine: EngineWanted;
  /** True when no check failed: `logshadow mount` can work here. */
  ready: boolean;
  checks: CheckResult[];
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const uid = process.getuid?.() ?? -1;
  const status = readOr('/proc/self/status', '');
  const privileges = checkPrivileges(uid, status);
  const nativeEngine = checkNativeEngine(options.engine);
  const checks: CheckResult[] = [
    checkDevFuse(),
    privileges,
    checkLibfuse2(options.engine, nativeEngine.status === 'ok'),
    checkLibfuse3(options.engine),
    nativeEngine,
    checkAllocAddon(),
    checkUnmountHelper(uid === 0),
    await checkTmpfs(readOr('/proc/filesystems', ''), options.mountProbe && privileges.status === 'ok'),
    checkNode(),
    await checkDeadMounts(),
  ];
  return { schema: 'logshadow.doctor/1', engine: options.engine, ready: checks.every((c) => c.status !== 'fail'), checks };
}

/** The text report: one line per check, its fix beneath when it did not pass. */
export function formatReport(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((c) => c.title.length));
  const lines = report.checks.map((c) => {
    const mark = c.status === 'fail' ? 'FAIL' : c.status;
    const line = `${mark.padEnd(5)} ${c.title.padEnd(width)}  ${c.detail}`;
    return c.fix ? `${line}\n${' '.repeat(6 + width + 2)}fix: ${c.fix}` : line;
  });
  const warnings = report.checks.filter((c) => c.status === 'warn').length;
  const failed = report.checks.filter((c) => c.status === 'fail').map((c) => c.title);
  lines.push(
    report.ready
      ? `ready to mount (engine ${report.engine})${warnings ? `, ${warnings} warning${warnings > 1 ? 's' : ''}` : ''}`
      : `not ready to mount (engine ${report.engine}): ${failed.join(', ')}`,
  );
  return lines.join('\n') + '\n';
}
