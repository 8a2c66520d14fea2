import { fdatasync, fsync as fsFsync } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { toNegErrno } from '../../../util/errno';

export function fsync(_ctx: OpContext) {
  return (_path: string, datasync: number, fd: number, cb: Reply): void => {
    (datasync ? fdatasync : fsFsync)(fd, (err) => cb(err ? toNegErrno(err) : 0));
  };
}
