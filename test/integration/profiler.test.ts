import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { ROOT, cli, sh } from '../helpers/cli';
import { testEngines } from '../helpers/engines';
import { startMount, stopAllMounts, type MountHandle } from '../helpers/mount';
import { sleep } from '../helpers/wait';

const WRITER = join(ROOT, 'test/fixtures/level-writer.js');

interface StreamJson {
  key: string;
  writes: number;
  bytes: number;
  lines: number;
  entries: number;
  levels: Record<string, number>;
  entryLevels: Record<string, number>;
  format: string | null;
  dataTypes: Record<string, number>;
}
interface StatsJson {
  engine: string;
  totals: { writes: number; bytes: number; lines: number; files: number };
  droppedRecords: number;
  files: StreamJson[];
  apps: StreamJson[];
}

const LEVEL_SOURCES = join(ROOT, 'test/fixtures/levels/sources');

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: 'inherit' });
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}`))));
  });
}

/** Lines and entries per level as `<name>.labels` says (a level per entry's first line, `+` for the rest). */
function labelled(labels: string[]): { levels: Record<string, number>; entryLevels: Record<string, number> } {
  const levels: Record<string, number> = {};
  const entryLevels: Record<string, number> = {};
  let level = '';
  for (const label of labels) {
    if (label !== '+') {
      level = label;
      entryLevels[level] = (entryLevels[level] ?? 0) + 1;
    }
    levels[level] = (levels[level] ?? 0) + 1;
  }
  return { levels, entryLevels };
}

const labelledLines = (dir: string, name: string): number => fs.readFileSync(join(dir, `${name}.labels`), 'utf8').split('\n').length - 1;

function writer(file: string, count: number, mode: string, id: string): Promise<{ bytes: number; writes: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [WRITER, file, String(count), mode, id], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`writer exited ${code}`))));
  });
}

function stats(m: MountHandle): StatsJson {
  const r = cli(['stats', m.dir, '--json', '--all', '--run-dir', m.runDir]);
  if (r.status !== 0) throw new Error(`stats failed (${r.status}): ${r.stderr}\n${m.log()}`);
  return JSON.parse(r.stdout) as StatsJson;
}

describe.each(testEngines())('profiler exactness (%s engine)', (engine) => {
  let m: MountHandle;
  beforeAll(async () => {
    m = await startMount({ engine });
  });
  afterAll(stopAllMounts);

  test('several writers at once: writes, bytes, lines and lines per level are exactly those written', async () => {
    const text = join(m.dir, 'mixed.log');
    const json = join(m.dir, 'json.log');
    // Whole lines from several writers may share a file; a writer that splits its lines over
    // two writes gets a file of its own, or its halves would interleave with the others' lines.
    const split = join(m.dir, 'split.log');
    const results = await Promise.all([
      writer(text, 4000, 'text', 'a'),
      writer(text, 2000, 'text', 'c'),
      writer(split, 4000, 'split', 'b'),
      writer(json, 3000, 'json', 'd'),
    ]);
    // Shell writers too: one line each, open-append-close.
    expect(sh(`for i in $(seq 1 40); do echo "ERROR from shell $i" >> '${text}'; done`).status).toBe(0);
    const shellBytes = Array.from({ length: 40 }, (_, i) => `ERROR from shell ${i + 1}\n`.length).reduce((a, b) => a + b, 0);

    const s = stats(m);
    const file = (key: string) => s.files.find((f) => f.key === key)!;
    const mixed = file('/mixed.log');
    expect(mixed.writes).toBe(results[0].writes + results[1].writes + 40);
    expect(mixed.bytes).toBe(results[0].bytes + results[1].bytes + shellBytes);
    expect(mixed.bytes).toBe(fs.statSync(text).size);
    expect(mixed.lines).toBe(6040);
    expect(mixed.levels).toMatchObject({ error: 1540, warn: 1500, info: 1500, debug: 1500, unknown: 0 });
    expect(mixed.dataTypes.text).toBe(6040);
    const halves = file('/split.log');
    expect(halves.writes).toBe(8000);
    expect(halves.lines).toBe(4000);
    expect(halves.levels).toMatchObject({ error: 1000, warn: 1000, info: 1000, debug: 1000 });
    const js = file('/json.log');
    expect(js.lines).toBe(3000);
    expect(js.levels).toMatchObject({ error: 750, warn: 750, info: 750, debug: 750 });
    expect(js.dataTypes.json).toBe(3000);
    expect(s.droppedRecords).toBe(0);
    expect(s.totals.lines).toBe(13_040);
    expect(s.totals.writes).toBe(results.reduce((a, r) => a + r.writes, 0) + 40);

    // Per application: the engine that knows the caller credits node and sh separately.
    const total = (k: keyof StreamJson) => s.apps.reduce((a, x) => a + (x[k] as number), 0);
    expect(total('writes')).toBe(s.totals.writes);
    expect(total('lines')).toBe(13_040);
    if (s.engine === 'native') {
      const node = s.apps.find((a) => a.key === 'node')!;
      expect(node.lines).toBe(13_000);
      expect(node.levels.error).toBe(1500 + 1000 + 750);
      expect(s.apps.some((a) => a.key === 'sh' || a.key === 'bash' || a.key === 'dash')).toBe(true);
    } else {
      expect(s.apps.map((a) => a.key)).toEqual(['unknown']);
    }
  });

  test('real loggers write multi-line entries: lines and entries per level, and the format, as labelled', async () => {
    const dir = join(m.dir, 'loggers');
    fs.mkdirSync(dir);
    // Python's logging (tracebacks), winston, pino, bunyan and log4js (a stack trace), each
    // writing its files into the mount, with the labels of what it logged beside them.
    await run('python3', [join(LEVEL_SOURCES, 'python_logging.py'), dir]);
    await run(process.execPath, [join(LEVEL_SOURCES, 'node-loggers.js'), dir]);
    const s = stats(m);
    const names = fs.readdirSync(dir).filter((f) => f.endsWith('.labels')).map((f) => f.slice(0, -'.labels'.length));
    expect(names.length).toBeGreaterThanOrEqual(11);
    for (const name of names) {
      const labels = fs.readFileSync(join(dir, `${name}.labels`), 'utf8').split('\n').slice(0, -1);
      const f = s.files.find((x) => x.key === `/loggers/${name}.log`)!;
      const want = labelled(labels);
      const nonzero = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).filter(([, n]) => n > 0));
      expect({ name, lines: f.lines, entries: f.entries }).toEqual({ name, lines: labels.length, entries: labels.filter((l) => l !== '+').length });
      expect({ name, levels: nonzero(f.levels), entryLevels: nonzero(f.entryLevels) }).toEqual({ name, ...want });
      expect({ name, format: f.format === null }).toEqual({ name, format: false });
    }
    // Some of them wrote entries over several lines.
    expect(names.some((n) => s.files.find((x) => x.key === `/loggers/${n}.log`)!.entries < labelledLines(dir, n))).toBe(true);
  });

  test('10,000 files each written once: the tables stay within their caps, and every line is counted', () => {
    const before = (JSON.parse(cli(['stats', m.dir, '--json', '--run-dir', m.runDir]).stdout) as StatsJson).totals.lines;
    expect(sh(`node -e 'const fs=require("fs");for(let i=0;i<10000;i++)fs.appendFileSync(process.argv[1]+"/once"+i+".log","INFO once "+i+"\\n")' '${m.dir}'`, { timeoutMs: 300_000 }).status).toBe(0);
    const s = JSON.parse(cli(['stats', m.dir, '--json', '--run-dir', m.runDir]).stdout) as StatsJson & {
      omitted: { files: number };
      tables: { fileStreams: number; models: number; inodes: number; evictedStreams: number; limits: { files: number; models: number; inodes: number } };
      daemon: { rssBytes: number };
    };
    expect(s.tables.fileStreams).toBeLessThanOrEqual(s.tables.limits.files);
    expect(s.tables.models).toBeLessThanOrEqual(s.tables.limits.models);
    expect(s.tables.inodes).toBeLessThanOrEqual(s.tables.limits.inodes);
    expect(s.tables.evictedStreams).toBeGreaterThanOrEqual(10_000 - s.tables.limits.files);
    expect(s.daemon.rssBytes).toBeGreaterThan(0);
    // Every line is still counted, evicted streams or not, descriptors handed over or not.
    expect(s.totals.lines - before).toBe(10_000);
    // A file written once earns no model: models are for streams that keep writing.
    expect(s.tables.models).toBeLessThan(100);
    // The JSON reply holds the 100 busiest streams unless asked for more; the rest are counted.
    expect(s.files).toHaveLength(100);
    expect(s.omitted.files).toBe(s.totals.files - 100);
    const all = JSON.parse(cli(['stats', m.dir, '--json', '--all', '--run-dir', m.runDir]).stdout) as StatsJson & { omitted: { files: number } };
    expect(all.files).toHaveLength(all.totals.files);
    expect(all.omitted.files).toBe(0);
    const busiest = [...all.files].sort((a, b) => b.bytes - a.bytes || (a.key < b.key ? -1 : 1)).slice(0, 5).map((f) => f.key);
    const top5 = JSON.parse(cli(['stats', m.dir, '--json', '--top', '5', '--run-dir', m.runDir]).stdout) as StatsJson;
    expect(top5.files.map((f) => f.key)).toEqual(busiest);
    // (The oldest of them were evicted from the table; one it still holds.)
    const held = all.files.find((f) => f.key.startsWith('/once'))!.key;
    const one = JSON.parse(cli(['stats', m.dir, '--json', '--file', held.slice(1), '--run-dir', m.runDir]).stdout) as StatsJson;
    expect(one.files.map((f) => [f.key, f.lines])).toEqual([[held, 1]]);
  }, 300_000);

  test('a rotated file keeps its stream going; the old file goes idle under its new name', async () => {
    const f = join(m.dir, 'rot.log');
    await writer(f, 100, 'text', 'x');
    fs.renameSync(f, `${f}.1`);
    await writer(f, 60, 'text', 'y');
    const s = stats(m);
    expect(s.files.find((x) => x.key === '/rot.log')!.lines).toBe(160);
    expect(s.files.find((x) => x.key === '/rot.log.1')).toBeUndefined();
  });

  test('binary data, NUL bytes, CRLF and a 10 MB line without a newline are counted without harm', async () => {
    const f = join(m.dir, 'odd.log');
    const fd = fs.openSync(f, 'a');
    fs.writeSync(fd, 'INFO windows line\r\n');
    fs.writeSync(fd, Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x0a]));
    fs.writeSync(fd, Buffer.alloc(10 * 1024 * 1024, 0x61));
    fs.closeSync(fd);
    const s = stats(m);
    const odd = s.files.find((x) => x.key === '/odd.log')!;
    expect(odd.bytes).toBe(19 + 5 + 10 * 1024 * 1024);
    expect(odd.lines).toBe(2); // the 10 MB line is still pending its newline
    expect(odd.dataTypes.binary).toBe(1);
    expect(odd.levels.info).toBe(1);
    expect(await m.ask('ping')).toMatchObject({ pong: true });
  });
});

test('--max-files and --max-models cap the tables; every line is still counted', async () => {
  const m = await startMount({ engine: testEngines()[0], args: ['--max-files', '64', '--max-models', '8'] });
  try {
    // 200 files written once, then 20 written in several ticks (streams that earn a model).
    expect(sh(`node -e 'const fs=require("fs");for(let i=0;i<200;i++)fs.appendFileSync(process.argv[1]+"/once"+i+".log","INFO once "+i+"\\n")' '${m.dir}'`).status).toBe(0);
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 20; i++) fs.appendFileSync(join(m.dir, `busy${i}.log`), `WARN busy ${i} round ${round}\n`);
      await sleep(400);
    }
    const s = JSON.parse(cli(['stats', m.dir, '--json', '--top', '0', '--run-dir', m.runDir]).stdout) as StatsJson & {
      tables: { fileStreams: number; models: number; inodes: number; evictedStreams: number; limits: { files: number; models: number; inodes: number } };
      totals: { levels: Record<string, number> };
    };
    expect(s.tables.limits).toMatchObject({ files: 64, models: 8, inodes: 64 });
    expect(s.tables.fileStreams).toBeLessThanOrEqual(64);
    expect(s.tables.inodes).toBeLessThanOrEqual(64);
    expect(s.tables.models).toBeLessThanOrEqual(8);
    expect(s.tables.evictedStreams).toBeGreaterThanOrEqual(220 - 64);
    expect(s.totals.levels.info).toBe(200);
    expect(s.totals.levels.warn).toBe(80);
  } finally {
    await m.stop();
  }
}, 120_000);
