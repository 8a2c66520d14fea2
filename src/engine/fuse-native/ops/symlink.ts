import { symlink as fsSymlink } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { adoptParentOwner } from '../ownership';
import { toNegErrno } from '../../../util/errno';

/** The target text is stored as given; it is the caller's kernel that resolves it later. */
export function symlink(ctx: OpContext) {
  return (target: string, path: string, cb: Reply): void => {
    fsSymlink(target, ctx.backing(path), (err) => {
      if (err) return cb(toNegErrno(err));
      adoptParentOwner(ctx, path, (e) => cb(e ? toNegErrno(e) : 0));
    });
  };
}
