import { readFileSync } from 'node:fs';

/** One line of /proc/self/mountinfo, the fields logshadow needs. */
export interface MountEntry {
  mountId: number;
  parentId: number;
  /** "major:minor" of the filesystem. */
  device: string;
  mountpoint: string;
  fstype: string;
  source: string;
  options: string;
  superOptions: string;
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function readMounts(file = '/proc/self/mountinfo'): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const dash = line.indexOf(' - ');
    const left = line.slice(0, dash).split(' ');
    const right = line.slice(dash + 3).split(' ');
    out.push({
      mountId: Number(left[0]),
      parentId: Number(left[1]),
      device: left[2],
      mountpoint: unescape(left[4]),
      options: left[5],
      fstype: right[0],
      source: unescape(right[1]),
      superOptions: right[2] ?? '',
    });
  }
  return out;
}

/** The mounts stacked on exactly this path, bottom first (mountinfo lists them in mount order). */
export function mountsAt(path: string, mounts = readMounts()): MountEntry[] {
  return mounts.filter((m) => m.mountpoint === path);
}

/** The topmost mount on this path, if any. */
export function topMountAt(path: string, mounts = readMounts()): MountEntry | undefined {
  const at = mountsAt(path, mounts);
  return at[at.length - 1];
}

export const LOGSHADOW_FSTYPE = 'fuse.logshadow';
/** The source name given to a tmpfs that logshadow itself mounted, so that only it is discarded. */
export const LOGSHADOW_TMPFS_SOURCE = 'logshadow-tmpfs';
