import { access as fsAccess, constants } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';
import { toNegErrno } from '../../../util/errno';

/**
 * With default_permissions the kernel checks modes itself; what reaches here is an existence
 * check or an X_OK on a file, answered by the backing file. F_OK uses lstat semantics through
 * access(2) on the path, which only follows a symlink to report on its target, never to change it.
 */
export function access(ctx: OpContext) {
  return (path: string, mode: number, cb: Reply): void => {
    fsAccess(ctx.backing(path), mode & (constants.R_OK | constants.W_OK | constants.X_OK), (err) =>
      cb(err ? toNegErrno(err) : 0),
    );
  };
}
