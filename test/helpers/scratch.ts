import { mkdtempSync } from 'node:fs';

/**
 * Every test's scratch directory: /tmp/logshadow-test-<run>-<kind>XXXXXX, where <run> names this
 * jest run (set by global-setup.js), so that the global teardown unmounts what this run left
 * mounted and never the mounts of another run on the same machine.
 */
export function scratchPrefix(): string {
  return `/tmp/logshadow-test-${process.env.LOGSHADOW_TEST_RUN ?? `p${process.pid}`}-`;
}

export function makeScratch(kind = ''): string {
  return mkdtempSync(scratchPrefix() + kind);
}
