import { lutimes, utimes } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { onInode } from '../nofollow';
import { toNegErrno } from '../../../util/errno';

/**
 * fuse-native passes times in milliseconds and, in 2.2.6, passes the access time twice (its C
 * glue drops the modification time): a known limit of the reference engine, fixed in the native
 * engine. Both times are set to what arrives.
 */
export function utimens(ctx: OpContext) {
  return (path: string, atimeMs: number, mtimeMs: number, cb: Reply): void => {
    const a = atimeMs / 1000;
    const m = mtimeMs / 1000;
    onInode(
      ctx, path,
      (proc, isSymlink, done) => (isSymlink ? lutimes(ctx.backing(path), a, m, done) : utimes(proc, a, m, done)),
      (err) => cb(err ? toNegErrno(err) : 0),
    );
  };
}
