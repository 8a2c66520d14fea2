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
  return (path: string, fd: number, buf: Buffer, len: number, pos: number, cb: CountReply): void => {
    const done = (n: number) => {
      if (n < 0) return cb(n);
      counters.writes++;
      counters.bytesWritten += n;
      ctx.ring.push(ctx.handleOf(fd), monotonicMs(), pos, n, 0);
      cb(n);
    };
    // A tiered file: into its RAM tail, waiting while the syncs are behind (tiering.ts).
    const tier = ctx.tiers?.of(fd);
    if (tier) return ctx.tiers!.write(tier, buf.subarray(0, len), pos, done);
    fsWrite(fd, buf, 0, len, pos, (err, n) => {
      // a file served from the disk side of a tiered mount: fsynced with the next round
      if (!err) ctx.tiers?.changed(path);
      done(err ? toNegErrno(err) : n);
    });
  };
}
