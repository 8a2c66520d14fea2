import { readFileSync, statfsSync } from 'node:fs';
import { ErrorCodes, LogshadowError, optionError } from '../errors';

/**
 * How large a tmpfs can really grow here: RAM plus swap, as the kernel lets tmpfs pages be
 * swapped out. A tmpfs said to be larger never fills, and everything computed from its size
 * would be wrong: the time to full, the space guard's thresholds, a budget given as a share.
 */
export function memoryBoundBytes(meminfo = readFileSync('/proc/meminfo', 'utf8')): number {
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(meminfo)?.[1] ?? 0);
  return (kib('MemTotal') + kib('SwapTotal')) * 1024;
}

const gib = (n: number) => `${(n / 1024 ** 3).toFixed(1)}G`;

/** --size: refused past RAM plus swap, the most a tmpfs can hold. */
export function checkTmpfsSize(bytes: number, text: string, bound = memoryBoundBytes()): number {
  if (bytes > bound) {
    throw optionError('--size', `${text} is more than this machine's memory and swap (${gib(bound)}): a tmpfs never grows past them, so give at most ${gib(bound)}`);
  }
  return bytes;
}

/**
 * A backing directory that logshadow did not mount itself (--backing, or a directory already on
 * tmpfs): on tmpfs (the logs are to be in RAM), and no larger than RAM plus swap.
 */
export function checkBackingTmpfs(dir: string, isTmpfs: boolean, bound = memoryBoundBytes()): void {
  if (!isTmpfs) {
    throw new LogshadowError(ErrorCodes.BAD_BACKING, `the backing directory ${dir} is not on tmpfs: logshadow keeps logs in RAM; give a tmpfs directory (mount -t tmpfs -o size=256M tmpfs ${dir})`);
  }
  const st = statfsSync(dir);
  const size = st.blocks * st.bsize;
  if (size > bound) {
    throw new LogshadowError(ErrorCodes.BAD_BACKING, `the tmpfs at ${dir} is ${gib(size)}, more than this machine's memory and swap (${gib(bound)}): it would never fill, and time to full and the reservation budget would be wrong; shrink it (mount -o remount,size=${gib(bound)} ${dir})`);
  }
}
