import { readdir as fsReaddir } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { toNegErrno } from '../../../util/errno';

export function readdir(ctx: OpContext) {
  return (path: string, cb: Reply): void => {
    fsReaddir(ctx.backing(path), (err, names) => (err ? cb(toNegErrno(err)) : cb(0, ['.', '..', ...names])));
  };
}
