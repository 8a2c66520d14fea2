import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Target } from '../lib/targets';

export interface NginxResult {
  requestsPerSec: number;
  latencyP50ms: number;
  latencyP99ms: number;
  /** Lines in the access log afterwards: every request logged. */
  logLines: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** wrk's latency lines: "50%  123.00us" (also ms, s). */
function latencyMs(out: string, pct: string): number {
  const m = new RegExp(`^\\s*${pct}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(out);
  if (!m) return Number.NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}

/** A running nginx: its port, its access log, and how to stop it. */
export interface RunningNginx {
  port: number;
  accessLog: string;
  stop(): Promise<void>;
}

/**
 * Debian's nginx with one worker answering a fixed 200, its access log in the directory under
 * test (in `logFormat` when given: nginx's variables, `$msec` for a time stamp per request).
 */
export async function startNginx(target: Target, scratch: string, logFormat?: string): Promise<RunningNginx> {
  const port = await freePort();
  const conf = join(scratch, `nginx-${target.name}`);
  mkdirSync(conf, { recursive: true });
  const access = join(target.dir, 'access.log');
  const format = logFormat ? `log_format timed '${logFormat}';\n  access_log ${access} timed;` : `access_log ${access};`;
  writeFileSync(join(conf, 'nginx.conf'), `
worker_processes 1;
error_log ${join(target.dir, 'error.log')} warn;
pid ${join(conf, 'nginx.pid')};
events { worker_connections 1024; }
http {
  ${format}
  client_body_temp_path ${conf}/body;
  proxy_temp_path ${conf}/proxy;
  fastcgi_temp_path ${conf}/fastcgi;
  uwsgi_temp_path ${conf}/uwsgi;
  scgi_temp_path ${conf}/scgi;
  server {
    listen 127.0.0.1:${port};
    location / { return 200 "ok\\n"; }
  }
}
`);
  const nginx = spawn('nginx', ['-c', join(conf, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
  // listened for from the start: an nginx that already exited must not leave stop() waiting
  const gone = new Promise<void>((r) => { nginx.once('exit', () => r()); nginx.once('error', () => r()); });
  const stop = async () => {
    if (nginx.exitCode === null && nginx.signalCode === null) nginx.kill('SIGQUIT');
    await gone;
  };
  for (let i = 0; i < 100; i++) {
    const probe = spawnSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `http://127.0.0.1:${port}/`], { encoding: 'utf8' });
    if (probe.stdout === '200') return { port, accessLog: access, stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error('nginx did not answer');
}

/** wrk's arguments: two threads, 16 connections on loopback. */
export function wrkArgs(port: number, seconds: number): string[] {
  return ['-t2', '-c16', `-d${seconds}s`, '--latency', `http://127.0.0.1:${port}/`];
}

/** nginx (startNginx) loaded by wrk (wrkArgs). */
export async function runNginx(target: Target, scratch: string, seconds: number): Promise<NginxResult> {
  const nginx = await startNginx(target, scratch);
  try {
    const wrk = spawnSync('wrk', wrkArgs(nginx.port, seconds), { encoding: 'utf8', timeout: (seconds + 30) * 1000 });
    if (wrk.status !== 0) throw new Error(`wrk failed: ${wrk.stderr}`);
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(wrk.stdout)?.[1] ?? NaN);
    const lines = Number(spawnSync('sh', ['-c', `wc -l < '${nginx.accessLog}'`], { encoding: 'utf8' }).stdout.trim());
    return { requestsPerSec: rps, latencyP50ms: latencyMs(wrk.stdout, '50'), latencyP99ms: latencyMs(wrk.stdout, '99'), logLines: lines };
  } finally {
    await nginx.stop();
  }
}
