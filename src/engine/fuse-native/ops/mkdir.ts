import { mkdir as fsMkdir } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { adoptParentOwner } from '../ownership';
import { toNegErrno } from '../../../util/errno';

export function mkdir(ctx: OpContext) {
  return (path: string, mode: number, cb: Reply): void => {
    // Set-gid on a directory (group inheritance) stays; set-uid means nothing there.
    fsMkdir(ctx.backing(path), { mode: mode & ~0o4000 }, (err) => {
      if (err) return cb(toNegErrno(err));
      adoptParentOwner(ctx, path, (e) => cb(e ? toNegErrno(e) : 0));
    });
  };
}
