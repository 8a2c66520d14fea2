import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { request } from '../../control/client';
import { recordPath, socketPath } from '../../control/paths';
import type { MountRecord } from '../../control/protocol';
import { DEFAULTS, parseDuration } from '../../config/mount-config';
import { execFile } from 'node:child_process';
import { LOGSHADOW_FSTYPE, LOGSHADOW_TMPFS_SOURCE, mountsAt, readMounts, type MountEntry } from '../../util/mountinfo';
import { bytes, counted, duration, fit } from '../../util/format';
import { failAndExit, printJson } from '../output';
import { ErrorCodes, isLogshadowError } from '../../errors';
import { errorCode } from '../../util/errno';
import { describeHolders, holdersOf, type Holder } from '../../util/holders';
import { engineStatus } from '../../engine/native/engine-status';
import { nextDaemonIn } from '../target';

interface ListFlags {
  json?: boolean;
  runDir: string;
  timeout: string;
}

/**
 * ok: mounted and its daemon answers. detached: mounted and served by the native engine, whose
 * daemon is away (killed; the engine starts another). stale: mounted, but the process that
 * served it is gone (the kernel answers ENOTCONN). elsewhere: mounted and alive, but its daemon keeps no record in this run directory.
 * unresponsive: mounted, and neither the daemon nor the mount answered in time. gone: a record
 * whose mount is not there and whose daemon does not answer (left by a daemon killed outright).
 * denied: mounted, but this user may not reach its daemon (its control socket is root's).
 */
export type MountState = 'ok' | 'detached' | 'stale' | 'elsewhere' | 'unresponsive' | 'gone' | 'denied';

/** One mount in `list --json` (schema logshadow.list/1, docs/json.md). */
export interface ListedMount {
  mountpoint: string;
  state: MountState;
  /** What to do about a state other than ok; null when ok. */
  message: string | null;
  /** The daemon's pid. */
  pid: number | null;
  /** The native engine's process, which holds the mount (null: fuse-native, or unknown). */
  enginePid: number | null;
  /** A stale mount: processes that still hold files of it, and must reopen them once recovered. */
  holders: Holder[] | null;
  engine: string | null;
  cache: string | null;
  backing: string | null;
  /** Whether logshadow mounted the tmpfs under the mountpoint itself. */
  ownTmpfs: boolean | null;
  startedAt: string | null;
  uptimeSec: number | null;
  sizeBytes: number | null;
  freeBytes: number | null;
  /** At the upper (95%) forecast rate; null: never at this rate, or unknown. */
  timeToFullSec: number | null;
  files: number | null;
  socket: string;
  record: string | null;
}

export interface ListReply {
  schema: 'logshadow.list/1';
  runDir: string;
  /** Whether this user may read the run directory (it is root's, 0700); records are missed if not. */
  runDirReadable: boolean;
  mounts: ListedMount[];
}

/** The part of the stats reply that list shows. */
interface StatsForList {
  pid: number;
  enginePid?: number | null;
  engine: string;
  cache: string;
  backing: string;
  uptimeSec: number;
  space: { sizeBytes: number; freeBytes: number; timeToFullSec: { atP95: number | null } };
  totals: { files: number };
}

export function registerList(program: Command): void {
  program
    .command('list')
    .alias('ls')
    .description('the logshadow mounts on this machine: engine, cache, backing, tmpfs size and free space')
    .option('--json', 'the mounts as JSON (schema logshadow.list/1)')
    .option('--run-dir <dir>', 'where control sockets and mount records live', DEFAULTS.runDir)
    .option('--timeout <duration>', 'how long to wait for each daemon', '1s')
    .addHelpText('after', `
A mount whose daemon died is listed as stale; logshadow mount <dir> recovers it.

Examples:
  logshadow list
  logshadow list --json | jq -r '.mounts[] | select(.state != "ok").mountpoint'
  logshadow list --run-dir /run/logshadow-test`)
    .action(async (flags: ListFlags) => {
      try {
        const timeoutMs = parseDuration(flags.timeout, '--timeout');
        const reply = await listMounts(flags.runDir, timeoutMs);
        if (flags.json) printJson(reply);
        else process.stdout.write(renderList(reply));
      } catch (err) {
        failAndExit(err);
      }
    });
}

function recordsIn(runDir: string): { records: Map<string, { record: MountRecord; file: string }>; readable: boolean } {
  const out = new Map<string, { record: MountRecord; file: string }>();
  let names: string[];
  try {
    names = readdirSync(runDir);
  } catch (err) {
    // Missing: no mount ever ran here. Not readable: a permission matter, said so in the output.
    return { records: out, readable: errorCode(err) !== 'EACCES' && errorCode(err) !== 'EPERM' };
  }
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const file = join(runDir, name);
    let record: MountRecord;
    try {
      record = JSON.parse(readFileSync(file, 'utf8')) as MountRecord;
    } catch {
      continue;
    }
    // Only a record named for its own mountpoint is one of ours (not some other JSON file).
    if (typeof record?.mountpoint !== 'string' || recordPath(runDir, record.mountpoint) !== file) continue;
    out.set(record.mountpoint, { record, file });
  }
  return { records: out, readable: true };
}

export async function listMounts(runDir: string, timeoutMs: number): Promise<ListReply> {
  const mounts = readMounts();
  const mounted = new Map<string, MountEntry>();
  for (const m of mounts) {
    // Only where logshadow is the top mount: an older one hidden under another mount is not served.
    if (m.fstype === LOGSHADOW_FSTYPE) {
      const at = mountsAt(m.mountpoint, mounts);
      if (at[at.length - 1] === m) mounted.set(m.mountpoint, m);
    }
  }
  const { records, readable } = recordsIn(runDir);
  const points = [...new Set([...mounted.keys(), ...records.keys()])].sort();
  const listed = await Promise.all(points.map((p) => describe(p, mounted.has(p), records.get(p), runDir, timeoutMs, mounts)));
  return { schema: 'logshadow.list/1', runDir, runDirReadable: readable, mounts: listed };
}

async function describe(mountpoint: string, isMounted: boolean, rec: { record: MountRecord; file: string } | undefined,
  runDir: string, timeoutMs: number, mounts: MountEntry[]): Promise<ListedMount> {
  const r = rec?.record;
  const socket = r?.socket ?? socketPath(runDir, mountpoint);
  const base: ListedMount = {
    mountpoint, state: 'ok', message: null, pid: r?.pid ?? null, enginePid: r?.enginePid ?? null, holders: null,
    engine: r?.engine ?? null, cache: r?.cache ?? null,
    backing: r?.backing ?? null, ownTmpfs: r ? r.ownTmpfs : null, startedAt: r?.startedAt ?? null, uptimeSec: null,
    sizeBytes: null, freeBytes: null, timeToFullSec: null, files: null, socket, record: rec?.file ?? null,
  };
  if (base.ownTmpfs === null && isMounted) {
    // Without a record, the mount table still says whether logshadow's own tmpfs is underneath.
    const at = mountsAt(mountpoint, mounts);
    base.ownTmpfs = at.some((m) => m.fstype === 'tmpfs' && m.source === LOGSHADOW_TMPFS_SOURCE);
  }
  try {
    const s = await request<StatsForList>(socket, 'stats', { top: 0 }, timeoutMs);
    return {
      ...base, pid: s.pid, enginePid: s.enginePid ?? base.enginePid, engine: s.engine, cache: s.cache, backing: s.backing ?? base.backing, uptimeSec: s.uptimeSec,
      sizeBytes: s.space.sizeBytes, freeBytes: s.space.freeBytes, timeToFullSec: s.space.timeToFullSec.atP95, files: s.totals.files,
      message: isMounted ? null : 'the daemon answers but its mount is not in this mount namespace',
    };
  } catch (err) {
    if (isLogshadowError(err) && err.code === ErrorCodes.NOT_ROOT) {
      return { ...base, state: 'denied', message: 'its daemon is root\'s: run logshadow list as root for its details' };
    }
    // no daemon answered: tell a dead one from one served elsewhere by asking the kernel
  }
  if (!isMounted) {
    return { ...base, state: 'gone', message: `not mounted and no daemon answers: a leftover record (rm ${rec?.file ?? socket})` };
  }
  const engine = r?.engineSocket ? engineStatus(r.engineSocket) : null;
  if (engine && engine.daemonPid === 0) {
    return { ...base, state: 'detached', enginePid: engine.enginePid, pid: null, message: `engine pid ${engine.enginePid} serves, no daemon is attached: ${nextDaemonIn(engine)}logshadow mount ${mountpoint} attaches one` };
  }
  const probe = await probeMount(mountpoint, timeoutMs);
  if (!probe.ok && probe.code === 'ENOTCONN') {
    const top = mountsAt(mountpoint, mounts).pop();
    const holders = top ? holdersOf(top.mountId, top.device) : [];
    const held = holders.length ? `; ${describeHolders(holders)} still ${holders.length === 1 ? 'holds files' : 'hold files'} there and must reopen them once it is recovered (see the README's "What survives what")` : '';
    return { ...base, state: 'stale', holders, message: `stale: run logshadow mount ${mountpoint} to recover${held}` };
  }
  if (probe.ok && !rec) {
    return { ...base, state: 'elsewhere', message: `no record in ${runDir}: its daemon uses another --run-dir` };
  }
  return {
    ...base, state: 'unresponsive',
    message: `the daemon does not answer within ${timeoutMs} ms (${probe.ok ? 'the mount does' : `the mount: ${probe.code}`}); if it stays so, logshadow unmount ${mountpoint}`,
  };
}

/**
 * statfs(2) of the mountpoint (never answered from the kernel's attribute cache, unlike stat), in a
 * child process: a mount whose daemon is stopped never answers,
 * and a thread of ours stuck in that call would keep this process from exiting (libuv joins its
 * pool at exit). A child stuck there is killed, which ends the wait.
 */
function probeMount(mountpoint: string, timeoutMs: number): Promise<{ ok: true } | { ok: false; code: string }> {
  const script = 'require("fs").statfs(process.argv[1], (e) => process.stdout.write(e ? String(e.code) : "ok"))';
  return new Promise((resolve) => {
    execFile(process.execPath, ['-e', script, mountpoint], { timeout: timeoutMs + 1000, killSignal: 'SIGKILL' }, (err, stdout) => {
      const out = String(stdout).trim();
      if (out === 'ok') resolve({ ok: true });
      else if (out) resolve({ ok: false, code: out });
      else resolve({ ok: false, code: err && 'killed' in err && err.killed ? 'ETIMEDOUT' : 'EIO' });
    });
  });
}

/** The human view: one line per mount, a second with the backing or what to do; 80 columns. */
export function renderList(reply: ListReply, width = 80): string {
  const denied = reply.runDirReadable ? '' : `(${reply.runDir} is root's: run logshadow list as root to see every mount)\n`;
  if (!reply.mounts.length) return `no logshadow mounts (records looked for in ${reply.runDir})\n${denied}`;
  const w = { state: 12, engine: 11, cache: 12, size: 8, free: 8 };
  const fixed = w.state + w.engine + w.cache + w.size + w.free + 5;
  const mp = Math.max(16, width - fixed - 1);
  const row = (cells: string[]) => [
    fit(cells[0], mp), cells[1].padEnd(w.state), cells[2].padEnd(w.engine), cells[3].padEnd(w.cache),
    cells[4].padStart(w.size), cells[5].padStart(w.free),
  ].join(' ').trimEnd();
  const lines = [row(['MOUNTPOINT', 'STATE', 'ENGINE', 'CACHE', 'SIZE', 'FREE'])];
  const opt = (v: number | null, f: (n: number) => string) => (v === null ? '-' : f(v));
  for (const m of reply.mounts) {
    lines.push(row([m.mountpoint, m.state, m.engine ?? '-', m.cache ?? '-', opt(m.sizeBytes, bytes), opt(m.freeBytes, bytes)]));
    const segments = m.state === 'ok'
      ? [
        `backing ${m.backing ?? '?'}${m.ownTmpfs ? ' (own tmpfs)' : ''}`,
        m.enginePid ? `engine pid ${m.enginePid}, daemon pid ${m.pid ?? '?'}` : `pid ${m.pid ?? '?'}`,
        m.files !== null ? counted(m.files, 'file') : '',
        m.uptimeSec !== null ? `up ${duration(m.uptimeSec)}` : '',
        `full in ${m.timeToFullSec === null ? 'never' : duration(m.timeToFullSec)}`,
        m.message ? `(${m.message})` : '',
      ].filter(Boolean)
      : [m.message ?? m.state];
    lines.push(...wrapSegments(segments, width - 4).map((l) => `    ${l}`));
  }
  return lines.join('\n') + '\n' + denied;
}

/**
 * Segments joined with ", ", a new line where the next would not fit; a long one word-wrapped.
 * A line that is broken after a segment ends with a comma, so lines are filled to width - 1.
 */
function wrapSegments(segments: string[], width: number): string[] {
  const room = width - 1;
  const out: string[] = [];
  let line = '';
  for (const seg of segments) {
    if (!line) line = seg;
    else if (line.length + 2 + seg.length <= room) line = `${line}, ${seg}`;
    else {
      out.push(`${line},`);
      line = seg;
    }
    if (line.length > room) {
      const parts = wrap(line, room);
      out.push(...parts.slice(0, -1));
      line = parts[parts.length - 1];
    }
  }
  if (line) out.push(line);
  return out;
}

/** Word-wraps at spaces; a word longer than the width is cut from the left (paths end in what matters). */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const w = word.length > width ? fit(word, width) : word;
    if (line && line.length + 1 + w.length > width) {
      out.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(line);
  return out;
}
