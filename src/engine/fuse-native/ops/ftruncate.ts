import { fstat, ftruncate as fsFtruncate } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { closeQuietly } from '../read-fd';
import { toNegErrno } from '../../../util/errno';

export function ftruncate(ctx: OpContext) {
  return (path: string, fd: number, size: number, cb: Reply): void => {
    fstat(fd, (_statErr, st) => {
      ctx.beforeTruncate(st, size);
      const tier = ctx.tiers?.of(fd);
      if (tier) {
        const r = ctx.tiers!.truncate(tier, size);
        if (r === 0) ctx.emit({ kind: 'truncate', path, size }, closeQuietly);
        return cb(r);
      }
      fsFtruncate(fd, size, (err) => {
        if (!err) ctx.emit({ kind: 'truncate', path, size }, closeQuietly);
        cb(err ? toNegErrno(err) : 0);
      });
    });
  };
}
