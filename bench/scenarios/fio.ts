import { spawnSync } from 'node:child_process';
import type { Target } from '../lib/targets';

export interface FioResult {
  iops: number;
  p50us: number;
  p99us: number;
  p999us: number;
  mbps: number;
}

export interface FioScenario {
  name: string;
  label: string;
  bs: string;
  numjobs: number;
  /** A growing file (new pages every few writes) rather than rewriting a 64 MiB one. */
  append?: boolean;
}

/** 256-byte sync writes (a log line), 1 and 4 writers, and 64 KiB blocks (bulk). */
export const FIO_SCENARIOS: FioScenario[] = [
  { name: 'fio-256b-1job', label: 'fio 256 B sync writes, 1 job', bs: '256', numjobs: 1 },
  { name: 'fio-256b-4jobs', label: 'fio 256 B sync writes, 4 jobs', bs: '256', numjobs: 4 },
  { name: 'fio-64k-1job', label: 'fio 64 KiB sync writes, 1 job', bs: '64k', numjobs: 1 },
  // Every page is new: where pre-allocation can matter (page allocation leaves the write path).
  { name: 'fio-256b-append', label: 'fio 256 B sync appends to a growing file, 1 job', bs: '256', numjobs: 1, append: true },
];

interface FioJson {
  jobs: Array<{ write: { iops: number; bw_bytes: number; clat_ns: { percentile?: Record<string, number> } } }>;
}

export function runFio(target: Target, s: FioScenario, runtimeSec: number): FioResult {
  // The growing file must grow on every target: by default fio first lays it out with
  // fallocate, which logshadow honours and the bare passthrough peer refuses (it has no
  // fallocate), so in writeback mode logshadow's pages existed already and every new one cost a
  // read before its first partial write (one READ per page), while the peer's file grew.
  const size = s.append ? ['--size=1g', `--runtime=${runtimeSec}`, '--fallocate=none'] : ['--size=64m', '--time_based', `--runtime=${runtimeSec}`];
  const args = [
    `--name=${s.name}`, `--directory=${target.dir}`, '--rw=write', `--bs=${s.bs}`, '--ioengine=sync',
    ...size, `--numjobs=${s.numjobs}`, '--group_reporting',
    '--percentile_list=50:99:99.9', '--output-format=json',
  ];
  const r = spawnSync('fio', args, { encoding: 'utf8', timeout: (runtimeSec + 60) * 1000, maxBuffer: 32 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`fio failed on ${target.name}: ${r.stderr}`);
  const job = (JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as FioJson).jobs[0].write;
  const pct = job.clat_ns.percentile ?? {};
  const us = (k: string) => (pct[k] ?? NaN) / 1000;
  return { iops: job.iops, p50us: us('50.000000'), p99us: us('99.000000'), p999us: us('99.900000'), mbps: job.bw_bytes / 1e6 };
}
