import { ErrorCodes, LogshadowError } from '../errors';
import { findProgram, run } from './run';

export interface UnmountOutcome {
  /** True when the mount was busy and was detached lazily (it goes once the last user lets go). */
  lazy: boolean;
  helper: string;
}

/**
 * Unmounts a filesystem with whichever helper this machine has: umount(8) as root (it needs no
 * FUSE helper), otherwise fusermount3 or fusermount (Debian's fuse3 and fuse conflict, so only
 * one may exist). A busy mount is detached lazily when `lazyIfBusy` is set.
 */
export async function unmountPath(path: string, lazyIfBusy: boolean): Promise<UnmountOutcome> {
  const isRoot = process.getuid?.() === 0;
  const umount = isRoot ? findProgram('umount') : null;
  if (umount) {
    // --no-canonicalize: a stale FUSE mount cannot be stat'ed, and the path is already canonical.
    const first = await run(umount, ['--no-canonicalize', path]);
    if (first.code === 0) return { lazy: false, helper: umount };
    if (lazyIfBusy) {
      const lazy = await run(umount, ['--no-canonicalize', '--lazy', path]);
      if (lazy.code === 0) return { lazy: true, helper: umount };
      throw unmountFailed(path, lazy.stderr || first.stderr);
    }
    throw unmountFailed(path, first.stderr);
  }
  const fusermount = findProgram('fusermount3') ?? findProgram('fusermount');
  if (!fusermount) {
    throw new LogshadowError(ErrorCodes.UNMOUNT_FAILED, `cannot unmount ${path}: no umount (as root), fusermount3 or fusermount found; install fuse3`);
  }
  const first = await run(fusermount, ['-u', path]);
  if (first.code === 0) return { lazy: false, helper: fusermount };
  if (lazyIfBusy) {
    const lazy = await run(fusermount, ['-u', '-z', path]);
    if (lazy.code === 0) return { lazy: true, helper: fusermount };
  }
  throw unmountFailed(path, first.stderr);
}

function unmountFailed(path: string, stderr: string): LogshadowError {
  const reason = stderr.trim().split('\n').pop() || 'unknown reason';
  return new LogshadowError(ErrorCodes.UNMOUNT_FAILED, `cannot unmount ${path}: ${reason}`);
}
