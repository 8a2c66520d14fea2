import { fstat } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { toNegErrno } from '../../../util/errno';

/** By descriptor, so a file unlinked while open still answers. */
export function fgetattr(ctx: OpContext) {
  return (_path: string, fd: number, cb: Reply): void => {
    fstat(fd, (err, st) => (err ? cb(toNegErrno(err)) : cb(0, ctx.tiers ? ctx.tiers.attributes(st, fd) : st)));
  };
}
