import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * An ext4 filesystem on a loop device, for benchmarks that count what reaches a disk: the loop
 * device's own counter of sectors written (/sys/block/loopN/stat) is every byte the filesystem
 * sent to its "disk", data, metadata and journal alike.
 */
export class LoopExt4 {
  readonly image: string;
  readonly mnt: string;
  device = '';

  constructor(readonly scratch: string, readonly sizeMiB: number, private readonly mkfsOptions: string[] = []) {
    this.image = join(scratch, 'ext4.img');
    this.mnt = join(scratch, 'disk');
  }

  create(): this {
    run('truncate', ['-s', `${this.sizeMiB}M`, this.image]);
    run('mkfs.ext4', ['-q', '-F', ...this.mkfsOptions, this.image]);
    this.device = run('losetup', ['--find', '--show', this.image]).trim();
    mkdirSync(this.mnt, { recursive: true });
    run('mount', ['-t', 'ext4', this.device, this.mnt]);
    return this;
  }

  /** Bytes written to the device so far, once the filesystem's dirty pages are flushed. */
  bytesWritten(): number {
    run('sync', ['-f', this.mnt]);
    const fields = readFileSync(`/sys/block/${basename(this.device)}/stat`, 'utf8').trim().split(/\s+/).map(Number);
    return fields[6] * 512; // sectors written
  }

  destroy(): void {
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n').reverse()) {
      // mountinfo escapes spaces and the like as octal
      const m = line.split(' ')[4]?.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
      if (m && (m === this.mnt || m.startsWith(this.mnt + '/'))) spawnSync('umount', ['--lazy', m]);
    }
    if (this.device) spawnSync('losetup', ['-d', this.device]);
    this.device = '';
  }
}

export function run(cmd: string, args: string[], options: { timeoutMs?: number } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: options.timeoutMs ?? 600_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}`);
  return r.stdout;
}

/** Wall-clock milliseconds a command takes. */
export function timed(cmd: string, args: string[]): number {
  const t0 = performance.now();
  run(cmd, args);
  return performance.now() - t0;
}
