import { readFileSync } from 'node:fs';
import { loadNativeSys } from '../engine/native/sys';
import type { Logger } from '../util/logger';

export type LimitOutcome = { raised: true; soft: number; hard: number } | { raised: false; why: string; meta: Record<string, unknown> };

/**
 * Raised before mounting, so that the native engine's process inherits it: the engine holds one
 * descriptor per inode the kernel has looked up, and the profiler one per file being read, so a
 * directory of many files reaches a default limit long before memory. Node already raises the
 * soft limit to the hard one; the hard limit goes up to the kernel's ceiling (fs.nr_open) where
 * the daemon may (CAP_SYS_RESOURCE). Reported once the mount is up (reportDescriptorLimit): a
 * refused mount stays a one-line error.
 */
export function raiseDescriptorLimit(): LimitOutcome {
  const sys = loadNativeSys();
  if (!sys.ok) return { raised: false, why: 'the descriptor limit is left as it is: the system-call addon is unavailable', meta: { reason: sys.reason } };
  const { error, soft, hard } = sys.addon.raiseNofileLimit();
  const ceiling = nrOpen(hard);
  if (error < 0 || hard < ceiling) {
    return {
      raised: false,
      why: `the descriptor limit stays at ${soft}: raising it to the kernel's ceiling (${ceiling}) needs CAP_SYS_RESOURCE; the native engine holds one descriptor per file looked up`,
      meta: { soft, hard, errno: -error },
    };
  }
  return { raised: true, soft, hard };
}

export function reportDescriptorLimit(outcome: LimitOutcome, logger: Logger): void {
  if (outcome.raised) logger.info('descriptor limit raised', { soft: outcome.soft, hard: outcome.hard });
  else logger.warn(outcome.why, outcome.meta);
}

/** The kernel's ceiling for RLIMIT_NOFILE; `otherwise` where /proc does not say. Never throws: the mount is up. */
function nrOpen(otherwise: number): number {
  try {
    return Number(readFileSync('/proc/sys/fs/nr_open', 'utf8').trim()) || otherwise;
  } catch {
    return otherwise;
  }
}
