import { chown as fsChown, lchown } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { onInode } from '../nofollow';
import { toNegErrno } from '../../../util/errno';

/** A symlink is chowned itself (lchown), never its target. -1 keeps the id, as chown(2) does. */
export function chown(ctx: OpContext) {
  return (path: string, uid: number, gid: number, cb: Reply): void => {
    const u = uid === 0xffffffff ? -1 : uid;
    const g = gid === 0xffffffff ? -1 : gid;
    onInode(
      ctx, path,
      (proc, isSymlink, done) => (isSymlink ? lchown(ctx.backing(path), u, g, done) : fsChown(proc, u, g, done)),
      (err) => cb(err ? toNegErrno(err) : 0),
    );
  };
}
