import { close, constants, fstat, open } from 'node:fs';

/**
 * A read-only descriptor of the same backing file as `fd`, handed to the profiler with the open
 * event so it can read the new bytes back later without racing renames. Only regular files get
 * one; -1 otherwise or on failure (the profiler then counts bytes without content). O_NOATIME:
 * the profiler's reading back is no access by anyone, and must not move the file's atime.
 */
export function openReadFd(fd: number, done: (readFd: number, inodeKey: string | null) => void): void {
  fstat(fd, (err, st) => {
    if (err || !st.isFile()) return done(-1, null);
    const key = `${st.dev}:${st.ino}`;
    open(`/proc/self/fd/${fd}`, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOATIME, (e, readFd) => done(e ? -1 : readFd, key));
  });
}

export function closeQuietly(fd: number): void {
  close(fd, () => undefined);
}
