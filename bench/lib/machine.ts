import { cpus, release, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

/** What a figure was measured on: printed above every table, kept in every results file. */
export interface Machine {
  cpu: string;
  cores: number;
  memGiB: number;
  kernel: string;
  os: string;
  node: string;
  libfuse3: string;
  fio: string;
}

export function describeMachine(): Machine {
  const osRelease = readFileSync('/etc/os-release', 'utf8');
  const pretty = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(osRelease)?.[1] ?? 'unknown';
  const version = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    return r.status === 0 ? (r.stdout || r.stderr).trim().split('\n')[0] : 'not found';
  };
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memGiB: Math.round(totalmem() / 1024 ** 3),
    kernel: release(),
    os: pretty,
    node: process.version,
    libfuse3: version('pkg-config', ['--modversion', 'fuse3']),
    fio: version('fio', ['--version']),
  };
}

export function machineLine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, ${m.os}, Linux ${m.kernel}, Node ${m.node}, libfuse ${m.libfuse3}, ${m.fio}`;
}
