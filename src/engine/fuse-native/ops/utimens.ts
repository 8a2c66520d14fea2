import { lstat, lutimes, utimes } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { onInode } from '../nofollow';
import { toNegErrno } from '../../../util/errno';

/**
 * Both times, in milliseconds (PatchedFuse recovers the modification time that fuse-native
 * 2.2.6's glue drops). libfuse 2 calls this only when both times are set: a utimensat that sets
 * one and omits the other succeeds there without reaching any filesystem.
 */
export function utimens(ctx: OpContext) {
  return (path: string, atimeMs: number, mtimeMs: number, cb: Reply): void => {
    const a = atimeMs / 1000;
    const m = mtimeMs / 1000;
    onInode(
      ctx, path,
      (proc, isSymlink, done) => (isSymlink ? lutimes(ctx.backing(path), a, m, done) : utimes(proc, a, m, done)),
      (err) => {
        // a tiered file shows its RAM copy's times while it has one (tiering.ts): set those too
        if (!err && ctx.tiers) {
          lstat(ctx.backing(path), (_e, st) => {
            if (st?.isFile()) ctx.tiers?.withTier(st.dev, st.ino, (t) => ctx.tiers!.utimes(t, atimeMs, mtimeMs));
            cb(0);
          });
          return;
        }
        cb(err ? toNegErrno(err) : 0);
      },
    );
  };
}
