import { chmod as fsChmod } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { errnoError, onInode } from '../nofollow';
import { errnoOf, toNegErrno } from '../../../util/errno';

/** Linux has no mode on symlinks: like lchmod, a symlink answers EOPNOTSUPP. */
export function chmod(ctx: OpContext) {
  return (path: string, mode: number, cb: Reply): void => {
    onInode(
      ctx, path,
      (proc, isSymlink, done) => (isSymlink ? done(errnoError('EOPNOTSUPP', errnoOf('EOPNOTSUPP'))) : fsChmod(proc, mode, done)),
      (err) => cb(err ? toNegErrno(err) : 0),
    );
  };
}
