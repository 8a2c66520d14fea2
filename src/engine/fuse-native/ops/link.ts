import { link as fsLink } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { toNegErrno } from '../../../util/errno';

/** link(2) on Linux does not follow a symlink source: the new name is another link to the symlink. */
export function link(ctx: OpContext) {
  return (target: string, path: string, cb: Reply): void => {
    fsLink(ctx.backing(target), ctx.backing(path), (err) => cb(err ? toNegErrno(err) : 0));
  };
}
