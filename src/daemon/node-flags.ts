/**
 * V8 flags for the daemon, given where logshadow starts it (`mount --background`, and the native
 * engine's relaunch of a daemon that went away). The young generation is held to semi-spaces of
 * 2 MiB (V8 grows them to 16 MiB): the daemon's garbage is small and short-lived, and after a
 * burst of 10,000 new files the default's young space was a fifth to a third of its resident
 * memory (RSS 110-128 MiB with the default, 82-102 MiB with 2 MiB, over several runs of
 * `node build-bench/bench/profiler-cost.js --streams ''`, with and without
 * BENCH_DAEMON_NODE_ARGS=--max-semi-space-size=16), for a few percent more of the daemon's CPU
 * (2.77 against 2.67 µs per write under fio in one such pair). A foreground `mount` runs with
 * whatever node was given.
 */
const DAEMON_V8_FLAGS = ['--max-semi-space-size=2'];

/** The node arguments a daemon starts with: the caller's, and ours where the caller set none of the same name. */
export function daemonNodeArgs(execArgv: readonly string[]): string[] {
  const name = (flag: string) => flag.split('=')[0].replace(/_/g, '-');
  const given = new Set(execArgv.map(name));
  return [...execArgv, ...DAEMON_V8_FLAGS.filter((f) => !given.has(name(f)))];
}
