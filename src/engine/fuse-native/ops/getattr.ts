import { lstat } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { toNegErrno } from '../../../util/errno';

/** lstat: a symlink is reported as a symlink, never followed on the caller's behalf. */
export function getattr(ctx: OpContext) {
  return (path: string, cb: Reply): void => {
    lstat(ctx.backing(path), (err, st) => (err ? cb(toNegErrno(err)) : cb(0, ctx.tiers ? ctx.tiers.attributes(st) : st)));
  };
}
