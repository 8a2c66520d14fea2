import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The shared Loghub traces, read in place (never copied into the project): LOGSHADOW_TRACES, or
 * ../shared/traces/loghub beside the checkout, or the workplace's /work/shared copy (a CI
 * checkout may live elsewhere). Tests that need them skip with a message when none exists.
 */
export const TRACES_DIR: string | null =
  [process.env.LOGSHADOW_TRACES, resolve(__dirname, '../../..', 'shared/traces/loghub'), '/work/shared/traces/loghub']
    .filter((d): d is string => Boolean(d))
    .find((d) => existsSync(join(d, 'Android_2k.log'))) ?? null;

export function trace(name: string): string | null {
  return TRACES_DIR ? join(TRACES_DIR, name) : null;
}
