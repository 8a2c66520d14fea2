import { close } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { closeQuietly } from '../read-fd';
import { toNegErrno } from '../../../util/errno';

export function release(ctx: OpContext) {
  return (_path: string, fd: number, cb: Reply): void => {
    const handle = ctx.forget(fd);
    close(fd, (err) => {
      if (handle) ctx.emit({ kind: 'release', handle }, closeQuietly);
      cb(err ? toNegErrno(err) : 0);
    });
  };
}
