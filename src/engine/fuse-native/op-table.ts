import type { FuseOps } from 'fuse-native';
import type { OpContext } from './context';
import { access } from './ops/access';
import { chmod } from './ops/chmod';
import { chown } from './ops/chown';
import { create } from './ops/create';
import { fgetattr } from './ops/fgetattr';
import { flush } from './ops/flush';
import { fsync } from './ops/fsync';
import { ftruncate } from './ops/ftruncate';
import { getattr } from './ops/getattr';
import { link } from './ops/link';
import { mkdir } from './ops/mkdir';
import { mknod } from './ops/mknod';
import { open } from './ops/open';
import { read } from './ops/read';
import { readdir } from './ops/readdir';
import { readlink } from './ops/readlink';
import { release } from './ops/release';
import { rename } from './ops/rename';
import { rmdir } from './ops/rmdir';
import { statfs } from './ops/statfs';
import { symlink } from './ops/symlink';
import { truncate } from './ops/truncate';
import { unlink } from './ops/unlink';
import { utimens } from './ops/utimens';
import { write } from './ops/write';

type OpFactory = (ctx: OpContext) => (...args: never[]) => void;

/** The single table of operations (libfuse passthrough.c's shape): one module each. */
const FACTORIES: Record<keyof FuseOps, OpFactory | undefined> = {
  init: undefined,
  getattr, fgetattr, access, statfs, readdir, readlink,
  open, create, read, write, release, flush, fsync, truncate, ftruncate,
  unlink, rename, link, symlink, mkdir, rmdir, chmod, chown, utimens, mknod,
};

/**
 * Operations that change names or metadata, and which paths of theirs changed (the directory an
 * entry went in or out of, or the object itself): a tiered mount makes them durable with its next
 * sync round (FuseTiers.changed).
 */
const dirOf = (p: string) => p.slice(0, Math.max(1, p.lastIndexOf('/')));
const CHANGES: Partial<Record<keyof FuseOps, (args: unknown[]) => string[]>> = {
  create: (a) => [dirOf(a[0] as string)], mkdir: (a) => [dirOf(a[0] as string)], mknod: (a) => [dirOf(a[0] as string)],
  unlink: (a) => [dirOf(a[0] as string)], rmdir: (a) => [dirOf(a[0] as string)],
  rename: (a) => [dirOf(a[0] as string), dirOf(a[1] as string)],
  symlink: (a) => [dirOf(a[1] as string)], link: (a) => [dirOf(a[1] as string)],
  chmod: (a) => [a[0] as string], chown: (a) => [a[0] as string], utimens: (a) => [a[0] as string],
};

/**
 * Builds the operations with request and error counters around each. The wrapper costs a closure
 * per request, which is noise next to fuse-native's hop from a FUSE thread to the event loop
 * and back (docs/architecture.md).
 */
export function buildOps(ctx: OpContext): FuseOps {
  const ops: Record<string, unknown> = {};
  for (const [name, factory] of Object.entries(FACTORIES)) {
    if (!factory) continue;
    const op = factory(ctx) as (...args: unknown[]) => void;
    ctx.counters.ops[name] = 0;
    ctx.counters.errors[name] = 0;
    ops[name] = (...args: unknown[]) => {
      ctx.counters.ops[name]++;
      const cb = args[args.length - 1] as (code: number, ...rest: unknown[]) => void;
      const changes = CHANGES[name as keyof FuseOps];
      args[args.length - 1] = (code: number, ...rest: unknown[]) => {
        if (code < 0) ctx.counters.errors[name]++;
        else if (changes && ctx.tiers) for (const p of changes(args)) ctx.tiers.changed(p);
        cb(code, ...rest);
      };
      op(...args);
    };
  }
  return ops as FuseOps;
}
