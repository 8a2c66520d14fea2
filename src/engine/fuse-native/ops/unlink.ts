import { unlink as fsUnlink } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { closeQuietly } from '../read-fd';
import { toNegErrno } from '../../../util/errno';

/** The mount runs with hard_remove: an open file is really unlinked and lives on through its fd. */
export function unlink(ctx: OpContext) {
  return (path: string, cb: Reply): void => {
    fsUnlink(ctx.backing(path), (err) => {
      if (!err) ctx.emit({ kind: 'unlink', path }, closeQuietly);
      cb(err ? toNegErrno(err) : 0);
    });
  };
}
