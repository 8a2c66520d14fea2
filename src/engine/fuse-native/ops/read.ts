import { read as fsRead } from 'node:fs';
import type { CountReply } from 'fuse-native';
import type { OpContext } from '../context';
import { toNegErrno } from '../../../util/errno';

export function read(ctx: OpContext) {
  return (_path: string, fd: number, buf: Buffer, len: number, pos: number, cb: CountReply): void => {
    // a tiered file: stitched from its disk copy and its RAM tail (tiering.ts)
    const tier = ctx.tiers?.of(fd);
    if (tier) return cb(ctx.tiers!.read(tier, buf.subarray(0, len), pos));
    fsRead(fd, buf, 0, len, pos, (err, n) => cb(err ? toNegErrno(err) : n));
  };
}
