import { closeSync, fstatSync, lstatSync, readdirSync, readFileSync, rmSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { mountKey } from '../control/paths';
import { parseCheckpoint, type Checkpoint } from '../profile/checkpoint';

/**
 * The profiler's checkpoint (profile/checkpoint.ts) in the run directory, beside the mount's
 * record: written by the daemon as it goes, read by the daemon that takes its engine over.
 */
export function checkpointPath(runDir: string, mountpoint: string): string {
  return join(runDir, `${mountKey(mountpoint)}.checkpoint.json`);
}

/** The checkpoint left for this engine, or null (none, another engine's, unreadable). */
export function readCheckpoint(file: string, enginePid: number): Checkpoint | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const cp = parseCheckpoint(text);
  return cp && cp.enginePid === enginePid ? cp : null;
}

export function removeCheckpoint(file: string): void {
  rmSync(file, { force: true });
  rmSync(`${file}.tmp`, { force: true });
}

/** Directory entries looked at, at most, when a file is sought by its identity. */
const MAX_WALK = 200_000;

/**
 * Opens (read-only, beneath the backing directory) the file with identity (dev, ino): at `path`
 * if it is still there, else wherever a walk of the backing directory finds it (renamed while no
 * daemon looked: a rotation). A descriptor, or -1.
 */
export function locateFile(backingPath: string, openBeneath: (path: string) => number, dev: number, ino: number, path: string): number {
  const at = (p: string): number => {
    const fd = openBeneath(p);
    if (fd < 0) return -1;
    try {
      const st = fstatSync(fd);
      if (st.isFile() && st.dev === dev && st.ino === ino) return fd;
    } catch {
      // not readable: not it
    }
    closeSync(fd);
    return -1;
  };
  const fd = at(path);
  if (fd >= 0) return fd;
  const found = findByInode(backingPath, ino);
  return found === null ? -1 : at(found);
}

/** The path (from the mount's root) of a regular file with inode number `ino`, or null. */
function findByInode(root: string, ino: number): string | null {
  let found: string | null = null;
  walkFiles(root, (p) => {
    if (inodeOf(join(root, p)) === ino) found = p;
    return found === null;
  });
  return found;
}

/**
 * Opens (read-only, beneath the backing directory) up to `max` regular files made after `wallMs`,
 * where the filesystem keeps birth times (tmpfs, ext4, XFS, btrfs): what a daemon taking over
 * reads from the start when its predecessor never knew of it (Profiler.resume).
 */
export function filesMadeAfter(backingPath: string, openBeneath: (path: string) => number, wallMs: number, max: number): Array<{ path: string; fd: number }> {
  const made: Array<{ path: string; fd: number }> = [];
  walkFiles(backingPath, (p) => {
    if (made.length >= max) return false;
    if (bornAfter(join(backingPath, p), wallMs)) {
      const fd = openBeneath(p);
      if (fd >= 0) made.push({ path: p, fd });
    }
    return true;
  });
  return made;
}

/** Visits the regular files below `root` (paths from it, "/a/b"), breadth first, while `visit` says go on. */
function walkFiles(root: string, visit: (path: string) => boolean): void {
  const queue = [''];
  let seen = 0;
  while (queue.length > 0 && seen < MAX_WALK) {
    const rel = queue.shift()!;
    let entries: Dirent[];
    try {
      entries = readdirSync(join(root, rel), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      seen++;
      const p = `${rel}/${e.name}`;
      if (e.isDirectory()) queue.push(p);
      else if (e.isFile() && !visit(p)) return;
    }
  }
}

function bornAfter(p: string, wallMs: number): boolean {
  try {
    const born = lstatSync(p).birthtimeMs;
    return born > 0 && born > wallMs;
  } catch {
    return false;
  }
}

function inodeOf(p: string): number {
  try {
    return lstatSync(p).ino;
  } catch {
    return -1;
  }
}
