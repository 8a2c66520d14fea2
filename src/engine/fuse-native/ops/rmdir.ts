import { rmdir as fsRmdir } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { toNegErrno } from '../../../util/errno';

export function rmdir(ctx: OpContext) {
  return (path: string, cb: Reply): void => {
    fsRmdir(ctx.backing(path), (err) => cb(err ? toNegErrno(err) : 0));
  };
}
