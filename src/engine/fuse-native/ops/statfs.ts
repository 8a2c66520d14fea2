import { statfs as fsStatfs } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { toNegErrno } from '../../../util/errno';

/** The backing tmpfs's own numbers, so df through the mount tells the truth about RAM. */
export function statfs(ctx: OpContext) {
  return (_path: string, cb: Reply): void => {
    fsStatfs(ctx.root, (err, s) => {
      if (err) return cb(toNegErrno(err));
      cb(0, {
        bsize: s.bsize, frsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail,
        files: s.files, ffree: s.ffree, favail: s.ffree, fsid: 0, flag: 0, namemax: 255,
      });
    });
  };
}
