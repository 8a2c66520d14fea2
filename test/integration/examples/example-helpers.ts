import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CLI, ROOT } from '../../helpers/cli';
import { sleep } from '../../helpers/wait';

export { sleep };

export const EXAMPLES = join(ROOT, 'mount-examples');

/** The promise's value, or 'timeout' after ms (the timer is cleared either way, so jest can exit). */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function waitFor(what: string, pred: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** A loopback TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface StreamStats {
  key: string;
  writes: number;
  bytes: number;
  lines: number;
  levels: Record<string, number>;
  /** The format the stream was recognised as. */
  format: string | null;
}

export interface StatsJson {
  engine: string;
  totals: { writes: number; bytes: number; lines: number };
  files: StreamStats[];
}

export function statsOf(dir: string, runDir?: string): StatsJson {
  const r = spawnSync(process.execPath, [CLI, 'stats', dir, '--json', ...(runDir ? ['--run-dir', runDir] : [])], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`logshadow stats ${dir} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as StatsJson;
}

/** The stream the profiler keeps for one file (keys are paths inside the mount, "/access.log"). */
export function fileStats(stats: StatsJson, path: string): StreamStats | undefined {
  return stats.files.find((f) => f.key === path);
}

/**
 * Programs a test starts (nginx, rsyslogd, a writer): tracked, so that afterAll can end exactly
 * these, by pid, whatever happened in the test.
 */
export class Children {
  private readonly procs = new Set<ChildProcess>();

  start(file: string, args: string[], options: SpawnOptions = {}): { proc: ChildProcess; output: () => string; exited: Promise<number | null> } {
    const proc = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let out = '';
    proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => {
      proc.on('exit', (code) => {
        this.procs.delete(proc);
        resolve(code);
      });
      proc.on('error', (err) => {
        out += String(err);
        this.procs.delete(proc);
        resolve(null);
      });
    });
    this.procs.add(proc);
    return { proc, output: () => out, exited };
  }

  /** SIGTERM, then SIGKILL after a grace period, for every child still running. */
  async stopAll(graceMs = 10_000): Promise<void> {
    await Promise.all([...this.procs].map((p) => stop(p, graceMs)));
  }
}

export async function stop(proc: ChildProcess, graceMs = 10_000): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

/** A systemd unit file: sections, each a list of [key, value] in file order (keys repeat). */
export type UnitFile = Map<string, Array<[string, string]>>;

/** The subset of systemd's unit syntax the examples use: sections, key=value, comments, no continuation lines. */
export function parseUnit(text: string): UnitFile {
  const unit: UnitFile = new Map();
  let section: Array<[string, string]> | null = null;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    if (line.endsWith('\\')) throw new Error(`line ${i + 1}: continuation lines are not supported by this parser`);
    const head = /^\[([^\]]+)\]$/.exec(line);
    if (head) {
      section = [];
      unit.set(head[1], section);
      return;
    }
    const eq = line.indexOf('=');
    if (eq <= 0 || !section) throw new Error(`line ${i + 1}: not "key=value" inside a section: ${line}`);
    section.push([line.slice(0, eq).trim(), line.slice(eq + 1).trim()]);
  });
  return unit;
}

/** Every value of a key in a section (dependency keys hold space-separated lists). */
export function unitValues(unit: UnitFile, section: string, key: string): string[] {
  return (unit.get(section) ?? []).filter(([k]) => k === key).map(([, v]) => v);
}

/**
 * An Exec*= line as systemd turns it into argv: an optional "-" prefix, words split on blanks
 * with double or single quotes, "$$" for a literal dollar, and the %f/%i/%I/%% specifiers
 * (systemd.service(5) "Command lines", systemd.unit(5) "Specifiers"). Environment variables are
 * refused: the examples use none.
 */
export function execArgv(line: string, specifiers: Record<string, string>): string[] {
  const body = line.replace(/^[-@:+!]+/, '');
  const words: string[] = [];
  let i = 0;
  while (i < body.length) {
    while (body[i] === ' ' || body[i] === '\t') i++;
    if (i >= body.length) break;
    let word = '';
    const quote = body[i] === '"' || body[i] === "'" ? body[i++] : null;
    for (; i < body.length; i++) {
      const c = body[i];
      if (quote ? c === quote : c === ' ' || c === '\t') {
        if (quote) i++;
        break;
      }
      if (c === '\\' && i + 1 < body.length) word += body[++i];
      else if (c === '$') {
        if (body[i + 1] !== '$') throw new Error(`environment variables are not supported: ${line}`);
        word += '$';
        i++;
      } else if (c === '%') {
        const spec = body[++i];
        if (spec === '%') word += '%';
        else if (spec in specifiers) word += specifiers[spec];
        else throw new Error(`unsupported specifier %${spec} in ${line}`);
      } else word += c;
    }
    words.push(word);
  }
  return words;
}

export function systemdEscapePath(path: string): string {
  const r = spawnSync('systemd-escape', ['--path', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`systemd-escape failed: ${r.stderr}`);
  return r.stdout.trim();
}

export function have(program: string): boolean {
  return spawnSync('/bin/sh', ['-c', `command -v ${program}`]).status === 0;
}
