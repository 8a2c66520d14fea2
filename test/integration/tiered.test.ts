import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { ROOT, cli, shOk } from '../helpers/cli';
import { startMount, stopAllMounts, type MountHandle } from '../helpers/mount';
import { DiskView, durability, ramDirOf, ramFiles, syncNow } from '../helpers/tiered';
import { until } from '../helpers/wait';

const FIXTURES = join(ROOT, 'test/fixtures');
/** Tiered mounts are served by the native engine. */
const ENGINE = 'native';

const read = (p: string) => fs.readFileSync(p, 'utf8');
const lines = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}\n`).join('');

function mountAgain(m: MountHandle, ...args: string[]): void {
  const r = cli(['mount', m.dir, '--engine', ENGINE, '--run-dir', m.runDir, '--background', '--size', '64M', ...args]);
  if (r.status !== 0) throw new Error(`mount failed (${r.status}): ${r.stderr}`);
}

function unmount(m: MountHandle): string {
  const r = cli(['unmount', m.dir, '--run-dir', m.runDir]);
  if (r.status !== 0) throw new Error(`unmount failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

describe('tiered mount: tails in RAM, history on disk, one directory', () => {
  const disk = new DiskView();
  afterEach(async () => {
    await stopAllMounts();
    disk.close();
  });

  test('existing files show at once; appends stay in RAM until a sync, then the disk copy has them; identity never changes', async () => {
    const m = await startMount({
      engine: ENGINE, tiered: true,
      prepare: (dir) => {
        fs.writeFileSync(join(dir, 'app.log'), 'from before the mount\n');
        disk.open(dir);
      },
    });
    const file = join(m.dir, 'app.log');
    const ino = fs.statSync(disk.path('app.log')).ino;
    expect(read(file)).toBe('from before the mount\n');
    expect(fs.statSync(file).ino).toBe(ino);

    // One writer keeps the file open, as a daemon does; info lines trigger no sync.
    shOk(`exec 3>>'${file}'; for i in $(seq 1 200); do echo "info line $i" >&3; done`);
    const expected = 'from before the mount\n' + lines('info line', 200);
    expect(read(file)).toBe(expected);
    expect(fs.statSync(file).size).toBe(expected.length);
    expect(read(disk.path('app.log'))).toBe('from before the mount\n');
    const before = durability(m);
    expect(before.mode).toBe('tiered');
    expect(before.unsyncedBytes).toBe(expected.length - 'from before the mount\n'.length);
    expect(before.files.map((f) => f.path)).toEqual(['/app.log']);

    const s = syncNow(m);
    expect(s.error).toBeNull();
    expect(s.bytes).toBe(before.unsyncedBytes);
    expect(read(disk.path('app.log'))).toBe(expected);
    const after = durability(m);
    expect(after.unsyncedBytes).toBe(0);
    expect(after.syncs.request).toBe(1);
    expect(after.writeAmplification).toBe(1);
    // Synced and closed: nothing of it is left in RAM.
    expect(ramFiles(m)).toEqual([]);
    expect(fs.statSync(file).ino).toBe(ino);

    // Unmounted, the directory shows the same files, whole, from disk; and again once remounted.
    unmount(m);
    expect(mountsOn(m.dir)).toEqual([]);
    expect(read(file)).toBe(expected);
    expect(fs.statSync(file).ino).toBe(ino);
    mountAgain(m);
    expect(read(file)).toBe(expected);
    expect(fs.statSync(file).ino).toBe(ino);
    fs.appendFileSync(file, 'second life\n');
    unmount(m);
    expect(read(file)).toBe(expected + 'second life\n');
  });

  test('a line at or above --sync-on is on disk within a tick and a sync; an application\'s fsync returns only once its tail is', async () => {
    const m = await startMount({ engine: ENGINE, tiered: true, prepare: (dir) => disk.open(dir) });
    const file = join(m.dir, 'svc.log');
    shOk(`for i in $(seq 1 50); do echo "2026-12-03 10:00:00 INFO request $i" >> '${file}'; done`);
    expect(fs.existsSync(disk.path('svc.log')) ? read(disk.path('svc.log')) : '').toBe('');
    fs.appendFileSync(file, '2026-12-03 10:00:01 ERROR the database went away\n');
    const t0 = Date.now();
    await until('the error line on disk', () => read(disk.path('svc.log')).includes('ERROR the database went away'), 5000);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(durability(m).syncs.severity).toBeGreaterThanOrEqual(1);

    // fsync: python appends and fsyncs; when it prints, the disk copy must already hold it.
    const py = `import os,sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND)
os.write(fd, b"2026-12-03 10:00:02 INFO after fsync\\n")
os.fsync(fd)
print("synced", flush=True)`;
    const out = shOk(`python3 -c '${py}' '${file}'`);
    expect(out).toBe('synced\n');
    expect(read(disk.path('svc.log')).endsWith('INFO after fsync\n')).toBe(true);
    expect(durability(m).syncs.fsync).toBe(1);
  });

  test('kill -9 of the daemon loses nothing acknowledged: the next mount adopts the RAM tails and syncs them', async () => {
    const m = await startMount({ engine: ENGINE, tiered: true, prepare: (dir) => disk.open(dir) });
    const file = join(m.dir, 'acked.log');
    const writer = spawn(process.execPath, [join(FIXTURES, 'acked-writer.js'), file, '1000000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    writer.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const writerDone = new Promise((r) => writer.on('exit', r));
    await until('some acknowledged writes', () => out.split('\n').length > 2000);
    process.kill(m.proc.pid!, 'SIGKILL');
    await writerDone;
    const acked = out.split('\n').filter(Boolean).map(Number);
    // The tails outlive the daemon in the RAM side; the disk copy holds at most what was synced.
    expect(ramFiles(m).length).toBe(1);
    const onDisk = fs.statSync(disk.path('acked.log')).size;
    expect(onDisk).toBeLessThan(acked.length * 57);

    mountAgain(m);
    const d = durability(m);
    expect(d.recovered.files).toBe(1);
    const present = new Set(read(file).split('\n').filter(Boolean).map((l) => Number(/^ack=(\d+) z{50}$/.exec(l)![1])));
    for (const a of acked) expect(present.has(a)).toBe(true);
    unmount(m);
    // Everything synced: the RAM side is gone with the mount.
    expect(fs.existsSync(ramDirOf(m))).toBe(false);
    const onDiskLines = read(file).split('\n').filter(Boolean);
    expect(onDiskLines.length).toBeGreaterThanOrEqual(acked.length);
    expect(onDiskLines.slice(0, acked.length)).toEqual(acked.map((a) => `ack=${a} ${'z'.repeat(50)}`));
  });

  test('a tail follows its file through renames: after a rotation each name holds its own bytes, on disk too', async () => {
    const m = await startMount({ engine: ENGINE, tiered: true, prepare: (dir) => disk.open(dir) });
    const file = join(m.dir, 'rot.log');
    fs.appendFileSync(file, lines('old generation', 100));
    fs.renameSync(file, `${file}.1`);
    fs.appendFileSync(file, lines('new generation', 50));
    fs.appendFileSync(`${file}.1`, 'late line of the old one\n');
    expect(read(`${file}.1`)).toBe(lines('old generation', 100) + 'late line of the old one\n');
    expect(read(file)).toBe(lines('new generation', 50));
    syncNow(m);
    expect(read(disk.path('rot.log.1'))).toBe(lines('old generation', 100) + 'late line of the old one\n');
    expect(read(disk.path('rot.log'))).toBe(lines('new generation', 50));
    expect(fs.statSync(disk.path('rot.log.1')).ino).toBe(fs.statSync(`${file}.1`).ino);
  });

  test('a non-append write below the synced boundary goes through to the disk copy; truncation cuts both copies', async () => {
    const m = await startMount({ engine: ENGINE, tiered: true, prepare: (dir) => disk.open(dir) });
    const file = join(m.dir, 'records.bin');
    fs.writeFileSync(file, 'a'.repeat(10_000));
    syncNow(m);
    fs.appendFileSync(file, 'b'.repeat(5_000));
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, 'XYZ', 100);
    fs.writeSync(fd, 'QQ', 9_999); // across the boundary: one byte on disk, one in RAM
    fs.closeSync(fd);
    const want = 'a'.repeat(100) + 'XYZ' + 'a'.repeat(9_896) + 'QQ' + 'b'.repeat(4_999);
    expect(read(file)).toBe(want);
    expect(read(disk.path('records.bin')).slice(0, 10_000)).toBe(want.slice(0, 10_000));
    expect(durability(m).writeThroughBytes).toBeGreaterThanOrEqual(4);
    fs.truncateSync(file, 5_000);
    expect(read(file)).toBe(want.slice(0, 5_000));
    expect(fs.statSync(disk.path('records.bin')).size).toBe(5_000);
    fs.appendFileSync(file, 'tail');
    syncNow(m);
    expect(read(disk.path('records.bin'))).toBe(want.slice(0, 5_000) + 'tail');
  });
});

function mountsOn(dir: string): string[] {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.split(' ')[4] === dir);
}
