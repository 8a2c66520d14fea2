import { rename as fsRename } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { closeQuietly } from '../read-fd';
import { toNegErrno } from '../../../util/errno';

/** rename(2) replaces an existing target atomically, open or not, as log rotation relies on. */
export function rename(ctx: OpContext) {
  return (from: string, to: string, cb: Reply): void => {
    fsRename(ctx.backing(from), ctx.backing(to), (err) => {
      if (!err) ctx.emit({ kind: 'rename', from, to }, closeQuietly);
      cb(err ? toNegErrno(err) : 0);
    });
  };
}
