import { fstat, ftruncate as fsFtruncate } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { closeQuietly } from '../read-fd';
import { toNegErrno } from '../../../util/errno';

export function ftruncate(ctx: OpContext) {
  return (path: string, fd: number, size: number, cb: Reply): void => {
    fstat(fd, (_statErr, st) => {
      ctx.beforeTruncate(st, size);
      fsFtruncate(fd, size, (err) => {
        if (!err) ctx.emit({ kind: 'truncate', path, size }, closeQuietly);
        cb(err ? toNegErrno(err) : 0);
      });
    });
  };
}
