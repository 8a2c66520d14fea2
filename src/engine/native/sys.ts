import { loadNativeAddon, type AddonLoad } from './addon';

/**
 * logshadow_sys: system calls Node lacks (native/src/sys.h). It needs no libfuse, so it loads
 * where the engine addon cannot. Every call returns 0 or -errno.
 */
export interface NativeSys {
  mknod(path: string, mode: number, dev: number): number;
  /** Times in ms; TIME_NOW and TIME_OMIT as utimensat's UTIME_NOW and UTIME_OMIT. Never follows the last component. */
  utimens(path: string, atimeMs: number, mtimeMs: number): number;
  /** Raises RLIMIT_NOFILE (soft and hard) to the kernel's ceiling where allowed; what it is then. */
  raiseNofileLimit(): { error: number; soft: number; hard: number };
}

export const TIME_NOW = -1;
export const TIME_OMIT = -2;

let sys: AddonLoad<NativeSys> | undefined;

export function loadNativeSys(): AddonLoad<NativeSys> {
  sys ??= loadNativeAddon<NativeSys>('logshadow_sys', ['mknod', 'utimens', 'raiseNofileLimit']);
  return sys;
}
