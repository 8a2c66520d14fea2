/**
 * V8 flags for the daemon, given where logshadow starts it (`mount --background`, and the native
 * engine's relaunch of a daemon that went away). Both trade a little of the daemon's CPU for
 * memory; the daemon's garbage is small and short-lived, its live state a few typed arrays per
 * stream:
 * - young-generation semi-spaces of 2 MiB (V8 grows them to 16 MiB): after a burst of 10,000 new
 *   files the default's young space was a fifth to a third of the daemon's resident memory (RSS
 *   110-128 MiB with the default, 82-102 MiB with 2 MiB, over several runs of
 *   `node build-bench/bench/profiler-cost.js --streams ''`, with and without
 *   BENCH_DAEMON_NODE_ARGS=--max-semi-space-size=16), for a few percent more of its CPU;
 * - `--optimize-for-size`: V8 sizes the old generation close to what is live and compacts it
 *   more often. Three alternating pairs of `profiler-cost.js --streams 1000` (with
 *   BENCH_DAEMON_NODE_ARGS=--optimize-for-size, and without): RSS with 1,000 streams kept
 *   writing 95 MiB against 104 (medians), after 10,000 files written once 79 against 92 (74
 *   against 89 fifteen seconds later); the refresh's work 14% more (48 ms/s against 43), the
 *   daemon's CPU per write 4-6% more (1.88 µs against 1.80 with one fio job, 1.42 against 1.34
 *   with four).
 * A foreground `mount` runs with whatever node was given. A caller's own setting of either wins
 * (`--max-semi-space-size=16`, `--no-optimize-for-size`).
 */
const DAEMON_V8_FLAGS = ['--max-semi-space-size=2', '--optimize-for-size'];

/** The node arguments a daemon starts with: the caller's, and ours where the caller set none of the same name. */
export function daemonNodeArgs(execArgv: readonly string[]): string[] {
  // V8 reads `--no-x`, `--nox` and `--x` as one flag, `_` as `-`
  const name = (flag: string) => flag.split('=')[0].replace(/_/g, '-').replace(/^--no-?/, '--');
  const given = new Set(execArgv.map(name));
  return [...execArgv, ...DAEMON_V8_FLAGS.filter((f) => !given.has(name(f)))];
}
