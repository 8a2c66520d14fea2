import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './cli';

/**
 * The engines the suite runs against: every engine that is built here, or the list in
 * LOGSHADOW_TEST_ENGINES (comma-separated) when set. The same POSIX and real-program tests run
 * once per engine.
 */
export function testEngines(): string[] {
  const fromEnv = process.env.LOGSHADOW_TEST_ENGINES;
  if (fromEnv) return fromEnv.split(',').map((s) => s.trim()).filter(Boolean);
  const engines = ['fuse-native'];
  if (existsSync(join(ROOT, 'native/build/Release/logshadow_engine.node'))) engines.unshift('native');
  return engines;
}
