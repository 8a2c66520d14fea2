import { close, constants, fstat, ftruncate, open } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { closeQuietly } from '../read-fd';
import { toNegErrno } from '../../../util/errno';

/** Truncation by path (e.g. `truncate -s 0`, logrotate's copytruncate on some systems). */
export function truncate(ctx: OpContext) {
  return (path: string, size: number, cb: Reply): void => {
    open(ctx.backing(path), constants.O_WRONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK, (err, fd) => {
      if (err) return cb(toNegErrno(err));
      fstat(fd, (_statErr, st) => {
        ctx.beforeTruncate(st, size);
        const finish = (tErr: number) => close(fd, () => {
          if (!tErr) ctx.emit({ kind: 'truncate', path, size }, closeQuietly);
          cb(tErr);
        });
        // a tiered file is cut through its tier: the RAM copy, then the disk copy
        const tiered = st ? ctx.tiers?.withTier(st.dev, st.ino, (t) => ctx.tiers!.truncate(t, size)) : undefined;
        if (tiered !== undefined) return finish(tiered);
        ftruncate(fd, size, (tErr) => finish(tErr ? toNegErrno(tErr) : 0));
      });
    });
  };
}
