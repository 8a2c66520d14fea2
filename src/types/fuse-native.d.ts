// The parts of fuse-native 2.2.6 that logshadow uses; the package ships no type declarations.
declare module 'fuse-native' {
  /** Every operation replies through a callback whose first argument is 0 or -errno. */
  export type Reply = (code: number, value?: unknown, extra?: unknown) => void;
  /** read and write reply with the byte count, or -errno. */
  export type CountReply = (countOrErrno: number) => void;

  export interface FuseOps {
    init?(cb: Reply): void;
    getattr?(path: string, cb: Reply): void;
    fgetattr?(path: string, fd: number, cb: Reply): void;
    access?(path: string, mode: number, cb: Reply): void;
    statfs?(path: string, cb: Reply): void;
    readdir?(path: string, cb: Reply): void;
    open?(path: string, flags: number, cb: Reply): void;
    create?(path: string, mode: number, cb: Reply): void;
    read?(path: string, fd: number, buf: Buffer, len: number, pos: number, cb: CountReply): void;
    write?(path: string, fd: number, buf: Buffer, len: number, pos: number, cb: CountReply): void;
    release?(path: string, fd: number, cb: Reply): void;
    flush?(path: string, fd: number, cb: Reply): void;
    fsync?(path: string, datasync: number, fd: number, cb: Reply): void;
    truncate?(path: string, size: number, cb: Reply): void;
    ftruncate?(path: string, fd: number, size: number, cb: Reply): void;
    unlink?(path: string, cb: Reply): void;
    rename?(from: string, to: string, cb: Reply): void;
    link?(target: string, path: string, cb: Reply): void;
    symlink?(target: string, path: string, cb: Reply): void;
    readlink?(path: string, cb: Reply): void;
    mkdir?(path: string, mode: number, cb: Reply): void;
    rmdir?(path: string, cb: Reply): void;
    mknod?(path: string, mode: number, dev: number, cb: Reply): void;
    chmod?(path: string, mode: number, cb: Reply): void;
    chown?(path: string, uid: number, gid: number, cb: Reply): void;
    utimens?(path: string, atime: number, mtime: number, cb: Reply): void;
  }

  export interface FuseOptions {
    force?: boolean;
    mkdir?: boolean;
    debug?: boolean;
    allowOther?: boolean;
    defaultPermissions?: boolean;
    fsname?: string;
    subtype?: string;
    timeout?: number | false;
  }

  export default class Fuse {
    constructor(mnt: string, ops: FuseOps, opts?: FuseOptions);
    readonly mnt: string;
    readonly opts: FuseOptions;
    mount(cb: (err: Error | null) => void): void;
    unmount(cb: (err: Error | null) => void): void;
  }
}
