import { spawnSync } from 'node:child_process';
import { closeSync, openSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describeMachine, machineLine } from './lib/machine';
import { MOUNT_TARGETS as TARGETS, mean, numberArg, withMounted } from './lib/mounts';

/**
 * What removing a file costs, and whether its space is free when unlink returns: N files written
 * through the mount and closed, then removed one by one; per-unlink time, side by side with a
 * plain tmpfs, alternating targets over several rounds. Run it as root:
 *   node build-bench/bench/unlink-cost.js [--files 2000] [--rounds 3]
 *
 * It makes synchronous calls into the mounts, so the mounts are served by child processes
 * (logshadow mount --background), never by this one.
 */
const LINE = Buffer.from('INFO a line of a log file, as an application writes it\n'.repeat(20));

/** Microseconds per unlink, and how many unlinks returned before the file's space was free. */
function measure(dir: string, files: number): { usPerUnlink: number; notFreed: number } {
  for (let i = 0; i < files; i++) {
    const fd = openSync(join(dir, `f${i}.log`), 'a');
    writeSync(fd, LINE);
    closeSync(fd);
  }
  // Let the daemon see every close, as it would for files closed a while ago.
  spawnSync('sleep', ['1.5']);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < files; i++) unlinkSync(join(dir, `f${i}.log`));
  const us = Number(process.hrtime.bigint() - t0) / 1000 / files;
  // Space: one big file written, closed and removed, then statfs, a few times.
  let notFreed = 0;
  const free = () => statfsSync(dir).bfree;
  for (let k = 0; k < 20; k++) {
    const before = free();
    const fd = openSync(join(dir, 'big.log'), 'a');
    writeSync(fd, Buffer.alloc(4 << 20, 0x61));
    closeSync(fd);
    spawnSync('sleep', ['0.05']); // past FUSE's asynchronous release
    unlinkSync(join(dir, 'big.log'));
    if (free() < before) notFreed++;
  }
  return { usPerUnlink: us, notFreed };
}

function main(): void {
  const files = numberArg('--files', 2000);
  const rounds = numberArg('--rounds', 3);
  const results = new Map<string, number[]>();
  const notFreed = new Map<string, number>();
  for (let r = 0; r < rounds; r++) {
    for (const t of TARGETS) {
      const m = withMounted(t, 'unlink', (dir) => measure(dir, files));
      results.set(t.name, [...(results.get(t.name) ?? []), m.usPerUnlink]);
      notFreed.set(t.name, (notFreed.get(t.name) ?? 0) + m.notFreed);
      process.stderr.write(`round ${r + 1} ${t.name}: ${m.usPerUnlink.toFixed(1)} us per unlink\n`);
    }
  }
  const base = mean(results.get('tmpfs')!);
  let out = `Machine: ${machineLine(describeMachine())}\n${files} closed files removed one by one, ${rounds} alternating rounds; then a 4 MiB file written, closed and removed 20 times per round.\n\n`;
  out += '| target | µs per unlink (mean) | × tmpfs | unlinks that returned before the space was free |\n|---|---:|---:|---:|\n';
  for (const t of TARGETS) {
    const m = mean(results.get(t.name)!);
    out += `| ${t.name} | ${m.toFixed(1)} | ${(m / base).toFixed(1)} | ${notFreed.get(t.name)} of ${20 * rounds} |\n`;
  }
  process.stdout.write(out);
}

main();
