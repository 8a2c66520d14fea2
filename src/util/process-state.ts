import { readFileSync } from 'node:fs';

/**
 * Whether process `pid` still runs. A zombie has ended: its parent may not reap it for a while
 * (a test runner blocked in a synchronous call; an orphan waiting for whoever adopted it).
 */
export function isRunning(pid: number): boolean {
  if (pid <= 0) return false;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  // "pid (comm) S ...": the state follows the last parenthesis (comm may hold any character)
  return stat.charAt(stat.lastIndexOf(')') + 2) !== 'Z';
}
