import { mkdir as fsMkdir } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { adoptParentOwner } from '../ownership';
import { toNegErrno } from '../../../util/errno';

export function mkdir(ctx: OpContext) {
  return (path: string, mode: number, cb: Reply): void => {
    fsMkdir(ctx.backing(path), { mode }, (err) => {
      if (err) return cb(toNegErrno(err));
      adoptParentOwner(ctx, path, (e) => cb(e ? toNegErrno(e) : 0));
    });
  };
}
