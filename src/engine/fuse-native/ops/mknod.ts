import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { adoptParentOwner } from '../ownership';
import { loadNativeSys } from '../../native/sys';
import { errnoOf, toNegErrno } from '../../../util/errno';

/**
 * FIFOs, sockets (bind(2) makes them through mknod) and device nodes, which Node cannot make:
 * through the system-call addon (ENOSYS without it). Like create: never set-id, and the parent's
 * owner (this engine does not know the caller).
 */
export function mknod(ctx: OpContext) {
  const sys = loadNativeSys();
  return (path: string, mode: number, dev: number, cb: Reply): void => {
    if (!sys.ok) return cb(-errnoOf('ENOSYS'));
    const r = sys.addon.mknod(ctx.backing(path), mode & ~0o6000, dev);
    if (r < 0) return cb(r);
    adoptParentOwner(ctx, path, (e) => cb(e ? toNegErrno(e) : 0));
  };
}
