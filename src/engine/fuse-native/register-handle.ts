import { constants, fstat, ftruncate, open } from 'node:fs';
import type { Reply } from 'fuse-native';
import type { OpContext } from './context';
import { closeQuietly } from './read-fd';
import type { TierRef } from '../native/tiers-addon';
import { toNegErrno } from '../../util/errno';

export interface NewHandle {
  path: string;
  fd: number;
  /** open(2) flags as the caller passed them (reported in the open event). */
  flags: number;
  created: boolean;
  writer: boolean;
  /** The caller asked for O_TRUNC, and the backing open left it out (tiering.ts cuts it). */
  truncate: boolean;
}

/**
 * What open and create do once the backing file is open: in a tiered mount the file's tier is
 * attached (and an O_TRUNC applied through it), the handle is counted before the reply (so
 * before the first write can arrive), and the open event is queued with the descriptors the
 * consumer reads the file back through: the file itself, or a tiered file's RAM tail and disk
 * copy. O_NOATIME: the consumer's reading back must not move the file's access time.
 */
export function registerHandle(ctx: OpContext, h: NewHandle, cb: Reply): void {
  fstat(h.fd, (statErr, st) => {
    const regular = !statErr && st.isFile();
    let tier: TierRef | null = null;
    try {
      if (regular && ctx.tiers?.wants(h.path)) tier = ctx.tiers.attach(h.fd, st, h.writer);
    } catch (err) {
      closeQuietly(h.fd);
      return cb(toNegErrno(err));
    }
    const announce = (readFd: number, diskFd: number) => {
      const handle = ctx.registerOpen(h.fd);
      if (regular) ctx.addHandle(h.fd, `${st.dev}:${st.ino}`, h.writer);
      ctx.emit({ kind: 'open', handle, path: h.path, pid: 0, flags: h.flags, created: h.created, readFd, diskFd }, closeQuietly);
      cb(0, h.fd);
    };
    const readBack = () => {
      const [ram, disk] = tier ? ctx.tiers!.eventFds(tier) : [-1, -1];
      if (ram >= 0 || !regular) return announce(ram, disk);
      open(`/proc/self/fd/${h.fd}`, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOATIME, (e, readFd) => announce(e ? -1 : readFd, -1));
    };
    if (!h.truncate) return readBack();
    const cut = tier ? ctx.tiers!.truncate(tier, 0) : null;
    if (cut !== null) return cut < 0 ? fail(ctx, h.fd, cut, cb) : readBack();
    ftruncate(h.fd, 0, (err) => (err ? fail(ctx, h.fd, toNegErrno(err), cb) : readBack()));
  });
}

function fail(ctx: OpContext, fd: number, code: number, cb: Reply): void {
  ctx.tiers?.detach(fd);
  closeQuietly(fd);
  cb(code);
}
