import { readdirSync, stat, statfsSync, statSync } from 'node:fs';

/** statfs f_type of tmpfs (linux/magic.h). */
export const TMPFS_MAGIC = 0x01021994;

export function isTmpfs(path: string): boolean {
  return statfsSync(path).type === TMPFS_MAGIC;
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

/** `stat` that cannot hang this process: a FUSE mount whose daemon is stopped never answers. */
export function statWithTimeout(path: string, timeoutMs: number): Promise<{ ok: true } | { ok: false; code: string }> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false, code: 'ETIMEDOUT' }), timeoutMs);
    stat(path, (err) => {
      clearTimeout(timer);
      resolve(err ? { ok: false, code: err.code ?? 'EIO' } : { ok: true });
    });
  });
}
