import { constants, fchmod, fstat, lstat, open as fsOpen } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { closeQuietly } from '../read-fd';
import { registerHandle } from '../register-handle';
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
    const writer = (flags & O_ACCMODE) !== constants.O_RDONLY;
    // A tiered file appends and truncates through its tier, never straight to its disk copy.
    const tiered = ctx.tiers?.wants(path) ?? false;
    const strip = constants.O_CREAT | constants.O_EXCL | constants.O_NOCTTY | (tiered ? constants.O_APPEND | constants.O_TRUNC : 0);
    const backingFlags = (flags & ~strip) | constants.O_NOFOLLOW;
    const truncate = tiered && (flags & constants.O_TRUNC) !== 0 && writer;
    const openBacking = () => fsOpen(ctx.backing(path), backingFlags, (err, fd) => {
      if (err) return cb(toNegErrno(err));
      const opened = () => registerHandle(ctx, { path, fd, flags, created: false, writer, truncate }, cb);
      if (!writer) return opened();
      dropSetId(fd, (dropErr) => {
        if (!dropErr) return opened();
        // A writable handle on a set-id file that keeps its bits is not handed out.
        closeQuietly(fd);
        cb(toNegErrno(dropErr));
      });
    });
    if (!(flags & constants.O_TRUNC)) return openBacking();
    // O_TRUNC cuts the file: the consumer reads what it has not yet, first.
    lstat(ctx.backing(path), (_e, st) => {
      ctx.beforeTruncate(st, 0);
      openBacking();
    });
  };
}

/**
 * Direct I/O writes skip the kernel's clearing of set-id bits, and the root daemon's own write
 * does not clear them either. This engine cannot tell a root caller (who may keep them) from
 * anyone else, so opening a set-id file for writing clears them: stricter than tmpfs, never looser.
 * A failure to clear them (or to look) fails the open.
 */
function dropSetId(fd: number, done: (err: NodeJS.ErrnoException | null) => void): void {
  fstat(fd, (err, st) => {
    if (err || !(st.mode & (S_ISUID | S_ISGID))) return done(err);
    fchmod(fd, st.mode & 0o1777, done);
  });
}
