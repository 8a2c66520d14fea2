import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describeMachine, machineLine } from './lib/machine';
import { MOUNT_TARGETS, mean, numberArg, withMounted } from './lib/mounts';

/**
 * What an open-append-close cycle and a stat cost, side by side with a plain tmpfs, alternating
 * targets over several rounds: the operations the fuse-native engine's attr_timeout=0 makes
 * dearer (each permission check and stat asks the daemon instead of the kernel's cache). As root:
 *   node build-bench/bench/metadata-cost.js [--files 2000] [--rounds 3]
 */
const LINE = Buffer.from('INFO a line of a log file, as an application writes it\n');

function measure(dir: string, files: number): { appendUs: number; statUs: number } {
  const names = Array.from({ length: files }, (_, i) => join(dir, `f${i % 100}.log`));
  let t0 = process.hrtime.bigint();
  for (const name of names) {
    const fd = openSync(name, 'a');
    writeSync(fd, LINE);
    closeSync(fd);
  }
  const appendUs = Number(process.hrtime.bigint() - t0) / 1000 / files;
  t0 = process.hrtime.bigint();
  for (const name of names) statSync(name);
  return { appendUs, statUs: Number(process.hrtime.bigint() - t0) / 1000 / files };
}

function main(): void {
  const files = numberArg('--files', 2000);
  const rounds = numberArg('--rounds', 3);
  const results = new Map<string, Array<{ appendUs: number; statUs: number }>>();
  for (let r = 0; r < rounds; r++) {
    for (const t of MOUNT_TARGETS) {
      const m = withMounted(t, 'meta', (dir) => measure(dir, files));
      results.set(t.name, [...(results.get(t.name) ?? []), m]);
      process.stderr.write(`round ${r + 1} ${t.name}: ${m.appendUs.toFixed(1)} us per open-append-close, ${m.statUs.toFixed(1)} us per stat\n`);
    }
  }
  let out = `Machine: ${machineLine(describeMachine())}\n${files} open-append-close cycles over 100 files, then ${files} stats; ${rounds} alternating rounds, means.\n\n`;
  out += '| target | µs per open-append-close | µs per stat |\n|---|---:|---:|\n';
  for (const t of MOUNT_TARGETS) {
    const rs = results.get(t.name)!;
    out += `| ${t.name} | ${mean(rs.map((x) => x.appendUs)).toFixed(1)} | ${mean(rs.map((x) => x.statUs)).toFixed(1)} |\n`;
  }
  process.stdout.write(out);
}

main();
