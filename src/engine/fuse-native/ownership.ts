import { lchown, lstat } from 'node:fs';
import { dirname } from 'node:path';
import type { OpContext } from './context';

/**
 * fuse-native gives no caller context, so the daemon (root) cannot create an entry owned by the
 * caller the way a local filesystem would. The nearest honest rule: a new entry takes its parent
 * directory's owner and group, so a user writing in a directory of its own keeps owning what it
 * creates (and can reopen it later under default_permissions). The native engine does it exactly.
 */
export function adoptParentOwner(ctx: OpContext, path: string, done: (err: NodeJS.ErrnoException | null) => void): void {
  lstat(ctx.backing(dirname(path)), (err, parent) => {
    if (err) return done(err);
    if (parent.uid === 0 && parent.gid === 0) return done(null);
    lchown(ctx.backing(path), parent.uid, parent.gid, done);
  });
}
