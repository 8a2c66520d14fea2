import type { Reply } from 'fuse-native';
import type { OpContext } from '../context';

/** Writes are already in the tmpfs when acknowledged: nothing is buffered here to flush. */
export function flush(_ctx: OpContext) {
  return (_path: string, _fd: number, cb: Reply): void => cb(0);
}
