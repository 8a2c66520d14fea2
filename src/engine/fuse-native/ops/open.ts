import { constants, fchmod, fstat, open as fsOpen } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { closeQuietly, openReadFd } from '../read-fd';
import { toNegErrno } from '../../../util/errno';

// Not in Node's fs.constants' types.
const O_ACCMODE = 3;
const S_ISUID = 0o4000;
const S_ISGID = 0o2000;

/**
 * Opens the backing file with the caller's flags (O_APPEND included, so concurrent appenders
 * land at the real end of file), never following a symlink in the last component.
 */
export function open(ctx: OpContext) {
  return (path: string, flags: number, cb: Reply): void => {
    const backingFlags = (flags & ~(constants.O_CREAT | constants.O_EXCL | constants.O_NOCTTY)) | constants.O_NOFOLLOW;
    fsOpen(ctx.backing(path), backingFlags, (err, fd) => {
      if (err) return cb(toNegErrno(err));
      if ((flags & O_ACCMODE) !== constants.O_RDONLY) return dropSetId(fd, () => opened(fd));
      opened(fd);
    });
    const opened = (fd: number) => {
      const handle = ctx.registerOpen(fd);
      openReadFd(fd, (readFd, inode) => {
        // Counted before the reply, so before the first write can arrive.
        if (inode) ctx.addHandle(fd, inode, (flags & O_ACCMODE) !== constants.O_RDONLY);
        ctx.emit({ kind: 'open', handle, path, pid: 0, flags, created: false, readFd }, closeQuietly);
        cb(0, fd);
      });
    };
  };
}

/**
 * Direct I/O writes skip the kernel's clearing of set-id bits, and the root daemon's own write
 * does not clear them either. This engine cannot tell a root caller (who may keep them) from
 * anyone else, so opening a set-id file for writing clears them: stricter than tmpfs, never looser.
 */
function dropSetId(fd: number, done: () => void): void {
  fstat(fd, (err, st) => {
    if (err || !(st.mode & (S_ISUID | S_ISGID))) return done();
    fchmod(fd, st.mode & 0o1777, () => done());
  });
}
