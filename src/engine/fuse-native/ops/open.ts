import { constants, open as fsOpen } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { closeQuietly, openReadFd } from '../read-fd';
import { toNegErrno } from '../../../util/errno';

/**
 * Opens the backing file with the caller's flags (O_APPEND included, so concurrent appenders
 * land at the real end of file), never following a symlink in the last component.
 */
export function open(ctx: OpContext) {
  return (path: string, flags: number, cb: Reply): void => {
    const backingFlags = (flags & ~(constants.O_CREAT | constants.O_EXCL | constants.O_NOCTTY)) | constants.O_NOFOLLOW;
    fsOpen(ctx.backing(path), backingFlags, (err, fd) => {
      if (err) return cb(toNegErrno(err));
      const handle = ctx.registerOpen(fd);
      openReadFd(fd, (readFd) => {
        ctx.emit({ kind: 'open', handle, path, pid: 0, flags, created: false, readFd }, closeQuietly);
        cb(0, fd);
      });
    });
  };
}
