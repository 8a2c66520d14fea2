/**
 * Milliseconds on CLOCK_MONOTONIC, the clock the native engine stamps write events with
 * (libuv's hrtime reads the same clock). performance.now() is cheap and allocation-free, so the
 * offset between the two is taken once.
 */
const OFFSET_MS = Number(process.hrtime.bigint()) / 1e6 - performance.now();

export function monotonicMs(): number {
  return performance.now() + OFFSET_MS;
}
