import { spawnSync } from 'node:child_process';

/**
 * Loading a native library can crash or hang the process that loads it (a missing symbol, a
 * constructor that blocks), so every trial load runs in a throwaway child Node process.
 */
export interface LoadOutcome {
  ok: boolean;
  /** The file the dynamic loader actually mapped, from the child's /proc/self/maps. */
  mappedPath: string | null;
  /** First line of the loader's error when the load failed. */
  error: string | null;
}

// Run with `node -e`: argv[1] = require|dlopen, argv[2] = what to load, argv[3] = a library
// name to look for in the child's memory map afterwards.
const CHILD = `
const [kind, target, lib] = process.argv.slice(1);
const say = (o) => process.stdout.write(JSON.stringify(o));
try {
  if (kind === 'require') require(target);
  else process.dlopen({ exports: {} }, target);
} catch (e) {
  const msg = String(e && e.message || e).split('\\n')[0];
  // dlopen of a plain shared library (not an addon) succeeds, then fails to find an addon in it.
  if (!(kind === 'dlopen' && /did not self-register/.test(msg))) { say({ ok: false, error: msg }); process.exit(0); }
}
let mapped = null;
if (lib) {
  for (const line of require('fs').readFileSync('/proc/self/maps', 'utf8').split('\\n')) {
    const p = line.trim().split(/\\s+/)[5];
    if (p && p.includes(lib)) { mapped = p; break; }
  }
}
say({ ok: true, mappedPath: mapped });
`;

export function loadInChild(kind: 'require' | 'dlopen', target: string, lookFor = ''): LoadOutcome {
  const r = spawnSync(process.execPath, ['-e', CHILD, kind, target, lookFor], { encoding: 'utf8', timeout: 20_000 });
  if (r.error) return { ok: false, mappedPath: null, error: r.error.message };
  if (r.signal) return { ok: false, mappedPath: null, error: `the loading process died of ${r.signal}` };
  try {
    const parsed = JSON.parse(r.stdout) as { ok: boolean; mappedPath?: string | null; error?: string };
    return { ok: parsed.ok, mappedPath: parsed.mappedPath ?? null, error: parsed.error ?? null };
  } catch {
    const why = (r.stderr || r.stdout).trim().split('\n')[0] || `exit status ${r.status}`;
    return { ok: false, mappedPath: null, error: why };
  }
}

/** CAP_SYS_ADMIN's bit in the capability sets (linux/capability.h). */
export const CAP_SYS_ADMIN = 21;

/** The effective capability set from /proc/<pid>/status text, or null when it has none. */
export function parseCapEff(statusText: string): bigint | null {
  const m = /^CapEff:\s*([0-9a-fA-F]+)\s*$/m.exec(statusText);
  return m ? BigInt(`0x${m[1]}`) : null;
}

export function hasCapability(set: bigint, bit: number): boolean {
  return ((set >> BigInt(bit)) & 1n) === 1n;
}

/** Filesystem types the kernel knows, from /proc/filesystems text ("nodev\ttmpfs" lines). */
export function parseFilesystems(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const name = fields[fields.length - 1];
    if (name) names.add(name);
  }
  return names;
}

/** Major version of a Node version string ("v20.20.2" → 20). */
export function nodeMajor(version: string): number {
  return Number(/^v?(\d+)/.exec(version)?.[1] ?? NaN);
}
