import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shOk } from './cli';

/**
 * A real disk for the tests that need one: an ext4 filesystem in an image file, attached to a
 * loop device and mounted. What ext4 has written to the device is in the image file (the loop
 * device writes there), while what it still holds dirty in its page cache is not: a copy of the
 * image is what a power cut would leave on the disk.
 */
export class LoopDisk {
  readonly image: string;
  readonly mnt: string;
  device = '';

  /** `mountOptions`: ext4's, e.g. "commit=600" (see snapshot). */
  constructor(readonly scratch: string, readonly sizeMiB: number, readonly mountOptions = '') {
    this.image = join(scratch, 'disk.img');
    this.mnt = join(scratch, 'disk');
  }

  create(): this {
    shOk(`truncate -s ${this.sizeMiB}M '${this.image}' && mkfs.ext4 -q -F '${this.image}'`);
    this.device = shOk(`losetup --find --show '${this.image}'`).trim();
    mkdirSync(this.mnt, { recursive: true });
    shOk(`mount -t ext4 ${this.mountOptions ? `-o '${this.mountOptions}' ` : ''}'${this.device}' '${this.mnt}'`);
    return this;
  }

  /**
   * The image as it stands on the device now, copied to `to`. The copy takes time, and ext4 may
   * write meanwhile (a timed journal commit): a disk mounted with a long commit interval
   * ("commit=600"), once no process of its own is left to call fsync, leaves a copy as
   * consistent as a power cut's.
   */
  snapshot(to: string): void {
    shOk(`cp --sparse=always '${this.image}' '${to}'`);
  }

  /** Unmounts (lazily: a dead FUSE mount above may still pin it) and detaches. Never throws. */
  destroy(): void {
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n').reverse()) {
      const m = line.split(' ')[4];
      if (m && (m === this.mnt || m.startsWith(this.mnt + '/'))) spawnSync('umount', ['--lazy', m]);
    }
    if (this.device) spawnSync('losetup', ['-d', this.device]);
    this.device = '';
  }
}

/** Checks and repairs an image copy (replaying its journal), then mounts it read-only at `mnt`. */
export function mountCopy(image: string, mnt: string): string {
  const fsck = spawnSync('e2fsck', ['-fy', image], { encoding: 'utf8' });
  // 0: clean, 1: errors corrected (the journal replay a power cut calls for); more is a failure
  if ((fsck.status ?? 8) > 1) throw new Error(`e2fsck found what it could not repair (${fsck.status}):\n${fsck.stdout}${fsck.stderr}`);
  mkdirSync(mnt, { recursive: true });
  shOk(`mount -o ro,loop '${image}' '${mnt}'`);
  return fsck.stdout;
}
