import { write as fsWrite } from 'node:fs';
import type { CountReply } from 'fuse-native';
import type { OpContext } from '../context';
import { monotonicMs } from '../../../util/clock';
import { toNegErrno } from '../../../util/errno';

/**
 * The data path: the bytes reach the backing tmpfs file before the write is acknowledged, then
 * one fixed-size record goes into the ring. Nothing else happens here.
 */
export function write(ctx: OpContext) {
  const counters = ctx.counters;
  return (_path: string, fd: number, buf: Buffer, len: number, pos: number, cb: CountReply): void => {
    fsWrite(fd, buf, 0, len, pos, (err, n) => {
      if (err) return cb(toNegErrno(err));
      counters.writes++;
      counters.bytesWritten += n;
      ctx.ring.push(ctx.handleOf(fd), monotonicMs(), pos, n, 0);
      cb(n);
    });
  };
}
