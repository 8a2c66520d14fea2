import { readFileSync } from 'node:fs';
import { loadNativeSys } from '../engine/native/sys';
import type { Logger } from '../util/logger';

/**
 * Raised at mount: the native engine holds one descriptor per inode the kernel has looked up,
 * and the profiler one per file being read, so a directory of many files reaches a default
 * limit long before memory. Node already raises the soft limit to the hard one; the hard limit
 * goes up to the kernel's ceiling (fs.nr_open) where the daemon may (CAP_SYS_RESOURCE), and
 * where it may not, the log says so.
 */
export function raiseDescriptorLimit(logger: Logger): void {
  const sys = loadNativeSys();
  if (!sys.ok) {
    logger.warn('the descriptor limit is left as it is: the system-call addon is unavailable', { reason: sys.reason });
    return;
  }
  const { error, soft, hard } = sys.addon.raiseNofileLimit();
  const ceiling = nrOpen(hard);
  if (error < 0 || hard < ceiling) {
    logger.warn(`the descriptor limit stays at ${soft}: raising it to the kernel's ceiling (${ceiling}) needs CAP_SYS_RESOURCE; the native engine holds one descriptor per file looked up`, { soft, hard, errno: -error });
    return;
  }
  logger.info('descriptor limit raised', { soft, hard });
}

/** The kernel's ceiling for RLIMIT_NOFILE; `otherwise` where /proc does not say. Never throws: the mount is up. */
function nrOpen(otherwise: number): number {
  try {
    return Number(readFileSync('/proc/sys/fs/nr_open', 'utf8').trim()) || otherwise;
  } catch {
    return otherwise;
  }
}
