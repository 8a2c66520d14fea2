import { read as fsRead } from 'node:fs';
import type { CountReply } from 'fuse-native';
import type { OpContext } from '../context';
import { toNegErrno } from '../../../util/errno';

export function read(_ctx: OpContext) {
  return (_path: string, fd: number, buf: Buffer, len: number, pos: number, cb: CountReply): void => {
    fsRead(fd, buf, 0, len, pos, (err, n) => cb(err ? toNegErrno(err) : n));
  };
}
