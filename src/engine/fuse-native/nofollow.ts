import { close, fstat, open, constants } from 'node:fs';
import type { OpContext } from './context';

/** Linux's O_PATH (not in Node's fs.constants): a descriptor that names an inode without opening it. */
const O_PATH = 0o10000000;

/**
 * Runs a metadata change on the inode a path names without following a symlink in its last
 * component (glibc's lchmod technique): pin the inode with O_PATH|O_NOFOLLOW, then act on it
 * through /proc/self/fd/N, which cannot be swapped for a symlink in between. `isSymlink` lets the
 * caller refuse or use an l* call for a symlink itself.
 */
export function onInode(
  ctx: OpContext,
  path: string,
  act: (procPath: string, isSymlink: boolean, done: (err: NodeJS.ErrnoException | null) => void) => void,
  cb: (err: NodeJS.ErrnoException | null) => void,
): void {
  open(ctx.backing(path), O_PATH | constants.O_NOFOLLOW, (err, fd) => {
    if (err) return cb(err);
    fstat(fd, (statErr, st) => {
      const finish = (e: NodeJS.ErrnoException | null) => close(fd, () => cb(e));
      if (statErr) return finish(statErr);
      act(`/proc/self/fd/${fd}`, st.isSymbolicLink(), finish);
    });
  });
}

export function errnoError(code: string, errno: number): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(code);
  e.code = code;
  e.errno = -errno;
  return e;
}
