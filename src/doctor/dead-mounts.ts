import { statWithTimeout } from '../util/fs-probe';
import { describeHolders, holdersOf } from '../util/holders';
import { LOGSHADOW_FSTYPE, readMounts, type MountEntry } from '../util/mountinfo';
import type { CheckResult } from './checks';

/**
 * A logshadow mount whose serving process died answers ENOTCONN. The next mount recovers it, but
 * the programs that kept a log open there hold descriptors into the dead connection and write
 * nothing until they reopen: they are named, since nothing else tells the operator who they are.
 */
export async function checkDeadMounts(mounts: readonly MountEntry[] = readMounts(), timeoutMs = 1000): Promise<CheckResult> {
  const title = 'dead mounts';
  const dead: string[] = [];
  const fixes: string[] = [];
  for (const m of mounts.filter((e) => e.fstype === LOGSHADOW_FSTYPE)) {
    const probe = await statWithTimeout(m.mountpoint, timeoutMs);
    if (probe.ok || probe.code !== 'ENOTCONN') continue;
    const holders = holdersOf(m.mountId, m.device);
    dead.push(`${m.mountpoint} is dead${holders.length ? ` and still held by ${describeHolders(holders)}` : ''}`);
    fixes.push(`logshadow mount ${m.mountpoint}${holders.length ? ', then make them reopen their logs (nginx -s reopen, rsyslog HUP, or a restart)' : ''}`);
  }
  if (dead.length === 0) return { id: 'dead-mounts', title, status: 'ok', detail: 'no logshadow mount here is dead', fix: null };
  return { id: 'dead-mounts', title, status: 'warn', detail: dead.join('; '), fix: fixes.join('; ') };
}
