import { fdatasync, fsync as fsFsync } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { toNegErrno } from '../../../util/errno';

export function fsync(ctx: OpContext) {
  return (_path: string, datasync: number, fd: number, cb: Reply): void => {
    // a tiered file is durable once its tail is synced to the disk side
    if (ctx.tiers?.of(fd)) return void ctx.tiers.fsync(fd).then(cb);
    (datasync ? fdatasync : fsFsync)(fd, (err) => cb(err ? toNegErrno(err) : 0));
  };
}
