import { readdirSync, statfs, statfsSync, statSync } from 'node:fs';

/** statfs f_type of tmpfs (linux/magic.h). */
export const TMPFS_MAGIC = 0x01021994;

export function isTmpfs(path: string): boolean {
  return statfsSync(path).type === TMPFS_MAGIC;
}

/** statfs f_type of ramfs (linux/magic.h). */
export const RAMFS_MAGIC = 0x858458f6;

export function isRamfs(path: string): boolean {
  return statfsSync(path).type === RAMFS_MAGIC;
}

export function isEmptyDir(path: string): boolean {
  return readdirSync(path).length === 0;
}

export function isCharDevice(path: string): boolean {
  try {
    return statSync(path).isCharacterDevice();
  } catch {
    return false;
  }
}

/**
 * Whether a FUSE mount's daemon answers, without hanging this process (a stopped daemon never
 * answers). statfs, not stat: the kernel answers stat from its attribute cache for a while after
 * the daemon died, statfs always goes to the daemon.
 */
export function statWithTimeout(path: string, timeoutMs: number): Promise<{ ok: true } | { ok: false; code: string }> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false, code: 'ETIMEDOUT' }), timeoutMs);
    statfs(path, (err) => {
      clearTimeout(timer);
      resolve(err ? { ok: false, code: err.code ?? 'EIO' } : { ok: true });
    });
  });
}
