import * as fs from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../helpers/cli';
import { startMount, stopAllMounts, type MountHandle } from '../../helpers/mount';
import { Children, EXAMPLES, fileStats, statsOf, waitFor } from './example-helpers';

/**
 * mount-examples/node-winston and node-pino, each run as its own process against a real mount:
 * every line lands, and logshadow's profiler counts the lines per level from the JSON.
 */
const REQUESTS = 1000;
// What the example apps log for REQUESTS requests.
const EXPECTED = { debug: REQUESTS / 10, info: REQUESTS, warn: REQUESTS / 50, error: REQUESTS / 100 };
const TOTAL = EXPECTED.debug + EXPECTED.info + EXPECTED.warn + EXPECTED.error;

const PINO_LEVELS: Record<number, string> = { 20: 'debug', 30: 'info', 40: 'warn', 50: 'error' };

describe.each([
  ['node-winston', (line: Record<string, unknown>) => line.level as string],
  ['node-pino', (line: Record<string, unknown>) => PINO_LEVELS[line.level as number]],
])('mount-examples/%s', (example, levelOf) => {
  const children = new Children();
  let m: MountHandle;

  beforeAll(async () => {
    m = await startMount({ engine: 'auto' });
  });
  afterAll(async () => {
    try {
      await children.stopAll();
    } finally {
      await stopAllMounts();
    }
  });

  test(`${REQUESTS} requests: ${TOTAL} JSON lines in the mount, counted by level`, async () => {
    const app = children.start(process.execPath, [join(EXAMPLES, example, 'app.js'), m.dir, String(REQUESTS)], { cwd: ROOT });
    expect(await app.exited).toBe(0);

    const lines = fs.readFileSync(join(m.dir, 'app.log'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(TOTAL);
    const byLevel: Record<string, number> = {};
    for (const line of lines) {
      const level = levelOf(JSON.parse(line) as Record<string, unknown>);
      byLevel[level] = (byLevel[level] ?? 0) + 1;
    }
    expect(byLevel).toEqual(EXPECTED);

    await waitFor('the profiler to read every line', () => fileStats(statsOf(m.dir, m.runDir), '/app.log')?.lines === TOTAL);
    const s = fileStats(statsOf(m.dir, m.runDir), '/app.log')!;
    expect(s.writes).toBeGreaterThan(0);
    expect(s.bytes).toBe(fs.statSync(join(m.dir, 'app.log')).size);
    expect(s.levels).toEqual({ fatal: 0, error: EXPECTED.error, warn: EXPECTED.warn, notice: 0, info: EXPECTED.info, debug: EXPECTED.debug, trace: 0, unknown: 0 });
  });
});
