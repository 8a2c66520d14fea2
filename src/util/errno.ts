import { constants } from 'node:os';

const errnoByName = constants.errno as Record<string, number>;

/**
 * The one place a failure becomes a FUSE reply: the backing call's own errno, negated
 * (mergerfs's to_neg_errno). Anything without a recognisable errno is an EIO, never a silent
 * ENOENT, so a bug shows up as an I/O error rather than as a missing file.
 */
export function toNegErrno(err: unknown): number {
  if (err && typeof err === 'object') {
    const e = err as { errno?: unknown; code?: unknown };
    if (typeof e.errno === 'number' && e.errno < 0) return e.errno;
    if (typeof e.errno === 'number' && e.errno > 0) return -e.errno;
    if (typeof e.code === 'string' && errnoByName[e.code] !== undefined) return -errnoByName[e.code];
  }
  return -errnoByName.EIO;
}

export function errnoOf(name: string): number {
  const n = errnoByName[name];
  if (n === undefined) throw new Error(`unknown errno name ${name}`);
  return n;
}

/** The `code` of a Node system error ('ENOENT', ...) or undefined. */
export function errorCode(err: unknown): string | undefined {
  if (err && typeof err === 'object' && typeof (err as { code?: unknown }).code === 'string') {
    return (err as { code: string }).code;
  }
  return undefined;
}
