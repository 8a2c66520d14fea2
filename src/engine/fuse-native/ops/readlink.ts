import { readlink as fsReadlink } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { toNegErrno } from '../../../util/errno';

/** Returns the link's text; the kernel, not the daemon, decides whether to follow it. */
export function readlink(ctx: OpContext) {
  return (path: string, cb: Reply): void => {
    fsReadlink(ctx.backing(path), (err, target) => (err ? cb(toNegErrno(err)) : cb(0, target)));
  };
}
