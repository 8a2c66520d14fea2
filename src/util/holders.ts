import { readdirSync, readFileSync } from 'node:fs';

/** A process with descriptors (or mappings) into one mount. */
export interface Holder {
  pid: number;
  comm: string;
  /** Its descriptors and file mappings there. */
  files: number;
}

/**
 * The processes that hold files of the mount `mountId` (device `device`, "major:minor") open or
 * mapped, from /proc: each descriptor's fdinfo names its mount, each mapping its device. Nothing
 * here touches the mount itself, so a dead one (ENOTCONN) is read the same way. Processes this
 * user may not look into are not seen.
 */
export function holdersOf(mountId: number, device: string, exclude: ReadonlySet<number> = new Set()): Holder[] {
  const out: Holder[] = [];
  const dev = device.split(':').map((n) => Number(n).toString(16).padStart(2, '0')).join(':');
  for (const name of safeList('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || exclude.has(pid)) continue;
    let files = 0;
    for (const fd of safeList(`/proc/${pid}/fdinfo`)) {
      const m = /^mnt_id:\s+(\d+)$/m.exec(safeRead(`/proc/${pid}/fdinfo/${fd}`));
      if (m && Number(m[1]) === mountId) files++;
    }
    for (const line of safeRead(`/proc/${pid}/maps`).split('\n')) {
      // address perms offset dev inode path: a mapping of a file of this filesystem
      const f = line.split(/\s+/);
      if (f.length >= 6 && f[3] === dev && f[4] !== '0') files++;
    }
    if (files > 0) out.push({ pid, comm: safeRead(`/proc/${pid}/comm`).trim() || '?', files });
  }
  return out.sort((a, b) => a.pid - b.pid);
}

/** "nginx (pid 12), rsyslogd (pid 34)" */
export function describeHolders(holders: readonly Holder[], max = 5): string {
  const shown = holders.slice(0, max).map((h) => `${h.comm} (pid ${h.pid})`);
  return shown.join(', ') + (holders.length > max ? ` and ${holders.length - max} more` : '');
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
