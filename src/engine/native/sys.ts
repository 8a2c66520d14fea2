import { loadNativeAddon, type AddonLoad } from './addon';

/**
 * logshadow_sys: system calls Node lacks (native/src/sys.h). It needs no libfuse, so it loads
 * where the engine addon cannot. Every call returns 0 or -errno.
 */
export interface NativeSys {
  mknod(path: string, mode: number, dev: number): number;
  /** Raises RLIMIT_NOFILE (soft and hard) to the kernel's ceiling where allowed; what it is then. */
  raiseNofileLimit(): { error: number; soft: number; hard: number };
  /** SCHED_IDLE (true) or SCHED_OTHER (false) for thread `tid` (0: the calling thread). */
  setIdleScheduling(tid: number, idle: boolean): number;
  /** From the main thread: SCHED_IDLE again unless it is under it already (a read of the policy, no change). */
  lowerMainIfRaised(): number;
  /**
   * Starts the waker (native/src/sys.h): a thread at normal priority that raises the main thread
   * out of SCHED_IDLE when one of `fds` (listening sockets, at most 4) has a connection waiting.
   */
  wakerStart(fds: number[]): number;
  wakerStop(): void;
}

let sys: AddonLoad<NativeSys> | undefined;

export function loadNativeSys(): AddonLoad<NativeSys> {
  sys ??= loadNativeAddon<NativeSys>('logshadow_sys', ['mknod', 'raiseNofileLimit', 'setIdleScheduling', 'lowerMainIfRaised', 'wakerStart', 'wakerStop']);
  return sys;
}
