import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { ErrorCodes, LogshadowError } from '../../errors';
import { engineExecutablePath, type NativeMountOptions } from './addon';

/** Where the engine process is reached and what it does beside serving. */
export interface EngineProcessOptions {
  /** Its socket (link/protocol.h), in the run directory. */
  socketPath: string;
  /** A pid file it writes once mounted and removes when it ends (systemd's PIDFile=). */
  pidFile: string | null;
  /** A tiered mount's RAM directory, which it takes down when it ends without a daemon. */
  ramDir: string | null;
  /** The command that starts a daemon to attach to it, run whenever the attached one goes
   * without unmounting (killed, crashed); null: nobody restarts the daemon. */
  daemonCommand: string[] | null;
  /** Where such a daemon's output goes (null: the engine's own stderr). */
  daemonLog: string | null;
  /** How long an attached daemon gets to unmount after the engine is asked to stop. */
  termGraceMs?: number;
}

/** A mount can take long to start when a tiered RAM side left by a crash is adopted first. */
const READY_TIMEOUT_MS = 5 * 60_000;

function args(o: NativeMountOptions, p: EngineProcessOptions): string[] {
  const a = [
    '--mountpoint', o.mountpoint, '--socket', p.socketPath, '--ready-fd', '3', '--backing-fd', '4',
    '--cache', o.cache ?? 'writethrough', '--max-write', String(o.maxWrite ?? 1 << 20),
    '--ring-capacity', String(o.ringCapacity ?? 1 << 16),
  ];
  if (o.debug) a.push('--debug');
  if (o.xattr) a.push('--xattr');
  if (p.pidFile) a.push('--pid-file', p.pidFile);
  if (o.ramDirFd !== undefined) {
    a.push('--ram-dir-fd', '5');
    if (p.ramDir) a.push('--ram-dir', p.ramDir);
    if (o.maxUnsynced !== undefined) a.push('--max-unsynced', String(o.maxUnsynced));
    if (o.syncIntervalMs !== undefined) a.push('--sync-interval-ms', String(o.syncIntervalMs));
    if (o.finalSyncMs !== undefined) a.push('--final-sync-ms', String(o.finalSyncMs));
    if (o.diskReserve === false) a.push('--no-disk-reserve');
    if (o.directPatterns) a.push('--direct-patterns', o.directPatterns);
  }
  if (p.termGraceMs !== undefined) a.push('--term-grace-ms', String(p.termGraceMs));
  if (p.daemonLog) a.push('--daemon-log', p.daemonLog);
  if (p.daemonCommand) a.push('--', ...p.daemonCommand);
  return a;
}

/**
 * Starts the engine process and resolves its pid once it serves the mount and its socket. It runs
 * in a session of its own, so that a terminal's Ctrl-C reaches the daemon (which unmounts) and not
 * the engine, and it outlives this process: that is its point.
 */
export function startEngineProcess(o: NativeMountOptions, p: EngineProcessOptions): Promise<number> {
  const binary = engineExecutablePath();
  if (binary === undefined) return Promise.reject(new LogshadowError(ErrorCodes.ENGINE_UNAVAILABLE, 'cannot find the logshadow package root'));
  const fds: Array<'ignore' | 'inherit' | 'pipe' | number> = ['ignore', 'inherit', 'inherit', 'pipe', o.backingFd];
  if (o.ramDirFd !== undefined) fds.push(o.ramDirFd);
  const child = spawn(binary, args(o, p), { detached: true, stdio: fds });
  const ready = child.stdio[3] as Readable;
  return new Promise<number>((resolve, reject) => {
    let line = '';
    let settled = false;
    const settle = (err: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ready.destroy();
      child.unref();
      if (err) reject(err);
      else resolve(child.pid!);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      settle(new LogshadowError(ErrorCodes.MOUNT_FAILED, `cannot mount ${o.mountpoint}: the engine process did not report within ${READY_TIMEOUT_MS / 1000} s`));
    }, READY_TIMEOUT_MS);
    ready.setEncoding('utf8');
    ready.on('data', (chunk: string) => {
      line += chunk;
      if (!line.includes('\n')) return;
      const first = line.slice(0, line.indexOf('\n'));
      if (first === 'ready') return settle(null);
      const m = /^error (\S+) (.*)$/.exec(first);
      const err = new LogshadowError(ErrorCodes.MOUNT_FAILED, `cannot mount ${o.mountpoint}: ${m ? m[2] : first}`);
      Object.assign(err, { errno: m?.[1] });
      settle(err);
    });
    child.on('error', (err) => settle(new LogshadowError(ErrorCodes.ENGINE_UNAVAILABLE, `cannot start ${binary}: ${err.message}`, { cause: err })));
    child.on('exit', (code, signal) => settle(new LogshadowError(ErrorCodes.MOUNT_FAILED, `cannot mount ${o.mountpoint}: the engine process exited (${signal ?? `status ${code}`}) before it served`)));
  });
}
