import { lstat, unlink as fsUnlink } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { closeQuietly } from '../read-fd';
import { toNegErrno } from '../../../util/errno';

/** libfuse hides an open file instead of unlinking it (see fuse-native-engine.ts); this sees the rest. */
export function unlink(ctx: OpContext) {
  return (path: string, cb: Reply): void => {
    lstat(ctx.backing(path), (_statErr, before) => {
      fsUnlink(ctx.backing(path), (err) => {
        if (!err) {
          ctx.emit({ kind: 'unlink', path }, closeQuietly);
          // Before the reply: when rm returns, the space of a file nobody has open is free.
          if (before?.isFile() && before.nlink === 1) ctx.tiers?.gone(before.dev, before.ino);
          ctx.afterUnlink(before);
        }
        cb(err ? toNegErrno(err) : 0);
      });
    });
  };
}
