import { constants, open as fsOpen } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { adoptParentOwner } from '../ownership';
import { closeQuietly } from '../read-fd';
import { registerHandle } from '../register-handle';
import { toNegErrno } from '../../../util/errno';

/**
 * fuse-native hands create() the mode but not the caller's flags, so the backing file is opened
 * read-write without O_APPEND. Appends stay correct: without the writeback cache the kernel
 * serialises writes to an inode and sends each O_APPEND write at its own end of file, which is
 * the backing file's end because every write goes through this mount.
 */
export function create(ctx: OpContext) {
  return (path: string, mode: number, cb: Reply): void => {
    const flags = constants.O_CREAT | constants.O_RDWR | constants.O_NOFOLLOW;
    // Without the caller's identity a new file would be root's: never with set-id bits.
    fsOpen(ctx.backing(path), flags, mode & ~0o6000, (err, fd) => {
      if (err) return cb(toNegErrno(err));
      adoptParentOwner(ctx, path, (ownErr) => {
        if (ownErr) {
          closeQuietly(fd);
          return cb(toNegErrno(ownErr));
        }
        registerHandle(ctx, { path, fd, flags: constants.O_CREAT | constants.O_WRONLY, created: true, writer: true, truncate: false }, cb);
      });
    });
  };
}
