import { close, fstat } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { closeQuietly } from '../read-fd';
import { toNegErrno } from '../../../util/errno';

export function release(ctx: OpContext) {
  return (_path: string, fd: number, cb: Reply): void => {
    const { handle, last } = ctx.forget(fd);
    // The last handle of a file with no name left: the consumer's descriptors are all that keep it.
    const done = (gone: { dev: number; ino: number } | null) =>
      close(fd, (err) => {
        ctx.tiers?.detach(fd);
        if (handle) ctx.emit({ kind: 'release', handle }, closeQuietly);
        if (gone) ctx.gone(gone.dev, gone.ino);
        cb(err ? toNegErrno(err) : 0);
      });
    if (!last || !ctx.fileGone) return done(null);
    fstat(fd, (err, st) => done(!err && st.nlink === 0 ? st : null));
  };
}
