import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');
export const CLI = join(ROOT, 'dist/cli/main.js');

if (!existsSync(CLI)) {
  throw new Error(`${CLI} is missing: run scripts/setup (or npm run build) before the tests`);
}

/** Runs the logshadow CLI in a child process (tests never serve a mount they touch). */
export function cli(args: string[], timeoutMs = 60_000): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 });
}

/** Runs a shell command line in a child process. */
export function sh(script: string, options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; input?: string } = {}): SpawnSyncReturns<string> {
  return spawnSync('/bin/sh', ['-c', script], {
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    env: options.env ?? process.env,
    input: options.input,
    maxBuffer: 64 * 1024 * 1024,
  });
}

export function shOk(script: string, options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): string {
  const r = sh(script, options);
  if (r.status !== 0) {
    throw new Error(`command failed (${r.status ?? r.signal}): ${script}\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

/** Bad input: one line on stderr saying what is wrong and what to do, and the exit status. */
export function expectOneLineError(r: { status: number | null; stderr: string }, status: number, pattern: RegExp): void {
  expect(r.status).toBe(status);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^logshadow: /);
  expect(lines[0]).toMatch(pattern);
}
