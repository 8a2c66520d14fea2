import { lstat, rename as fsRename } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { closeQuietly } from '../read-fd';
import { toNegErrno } from '../../../util/errno';

/** rename(2) replaces an existing target atomically, open or not, as log rotation relies on. */
export function rename(ctx: OpContext) {
  return (from: string, to: string, cb: Reply): void => {
    // A rename over an existing file lets that file go, as an unlink would.
    lstat(ctx.backing(from), (_e1, moved) => lstat(ctx.backing(to), (_e2, replaced) => {
      const victim = moved && replaced && !(moved.dev === replaced.dev && moved.ino === replaced.ino) ? replaced : undefined;
      fsRename(ctx.backing(from), ctx.backing(to), (err) => {
        if (!err) {
          ctx.emit({ kind: 'rename', from, to }, closeQuietly);
          if (victim?.isFile() && victim.nlink === 1) ctx.tiers?.gone(victim.dev, victim.ino);
          ctx.afterUnlink(victim);
        }
        cb(err ? toNegErrno(err) : 0);
      });
    }));
  };
}
