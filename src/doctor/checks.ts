import { closeSync, constants, existsSync, mkdtempSync, openSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findProgram, run } from '../util/run';
import { CAP_SYS_ADMIN, hasCapability, loadInChild, nodeMajor, parseCapEff, parseFilesystems, type LoadOutcome } from './probes';

/**
 * One small function per thing a mount needs. Each says ok, warn (logshadow runs, with less) or
 * fail (a mount cannot work), with a one-line fix. Checks never throw: whatever goes wrong while
 * checking is itself the finding.
 */
export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  /** What to do about it; null when the check passed. */
  fix: string | null;
}

export type EngineWanted = 'auto' | 'native' | 'fuse-native';

const CONTAINER_FLAGS = 'docker run --device /dev/fuse --cap-add SYS_ADMIN';

function result(id: string, title: string, status: CheckStatus, detail: string, fix: string | null = null): CheckResult {
  return { id, title, status, detail, fix: status === 'ok' ? null : fix };
}

function errnoOf(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}

export function checkDevFuse(path = '/dev/fuse'): CheckResult {
  const title = '/dev/fuse';
  const fixMissing = `modprobe fuse; in a container: ${CONTAINER_FLAGS}`;
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    return result('dev-fuse', title, 'fail', `${path} is missing (${errnoOf(err)})`, fixMissing);
  }
  if (!st.isCharacterDevice()) {
    const what = st.isFile() ? 'a regular file' : st.isDirectory() ? 'a directory' : 'not a device';
    return result('dev-fuse', title, 'fail', `${path} is not a character device (${what})`, fixMissing);
  }
  const devno = `${Math.floor(st.rdev / 256)},${st.rdev % 256}`;
  try {
    // Opening creates a FUSE connection that closing frees again: nothing is mounted.
    closeSync(openSync(path, constants.O_RDWR));
  } catch (err) {
    const code = errnoOf(err);
    const fix = code === 'EACCES' || code === 'EPERM'
      ? `run as root; in a container: ${CONTAINER_FLAGS} (the device cgroup must allow it)`
      : fixMissing;
    return result('dev-fuse', title, 'fail', `${path} (${devno}) cannot be opened read-write: ${code}`, fix);
  }
  return result('dev-fuse', title, 'ok', `character device ${devno}, opens read-write`);
}

/** The fuse-native engine: its prebuilt binding links libfuse.so.2, so loading it proves both. */
export function checkLibfuse2(engine: EngineWanted, nativeEngineUsable: boolean, load = loadFuseNative): CheckResult {
  const title = 'libfuse 2 (fuse-native engine)';
  const outcome = load();
  if (outcome.ok) {
    return result('libfuse2', title, 'ok', `fuse-native's binding loads${outcome.mappedPath ? ` (${outcome.mappedPath})` : ''}`);
  }
  // With --engine auto the native engine is enough on its own.
  const needed = engine === 'fuse-native' || (engine === 'auto' && !nativeEngineUsable);
  const err = outcome.error ?? 'unknown error';
  const fix = /libfuse\.so\.2/.test(err)
    ? 'apt-get install libfuse2'
    : /Cannot find module|No native build/i.test(err)
      ? 'npm ci (fuse-native ships a prebuilt binding for linux-x64)'
      : 'apt-get install libfuse2, then npm ci';
  return result('libfuse2', title, needed ? 'fail' : 'warn', `fuse-native's binding does not load: ${err}`, fix);
}

function loadFuseNative(): LoadOutcome {
  let entry: string;
  try {
    entry = require.resolve('fuse-native');
  } catch {
    return { ok: false, mappedPath: null, error: 'Cannot find module fuse-native' };
  }
  return loadInChild('require', entry, 'libfuse.so.2');
}

export function checkLibfuse3(engine: EngineWanted, load = () => loadInChild('dlopen', 'libfuse3.so.3', 'libfuse3.so')): CheckResult {
  const title = 'libfuse 3 (native engine)';
  const outcome = load();
  if (outcome.ok) return result('libfuse3', title, 'ok', `libfuse3.so.3 loads${outcome.mappedPath ? ` (${outcome.mappedPath})` : ''}`);
  return result('libfuse3', title, engine === 'native' ? 'fail' : 'warn', `libfuse3.so.3 does not load: ${outcome.error ?? 'unknown error'}`, 'apt-get install libfuse3-3');
}

export function checkUnmountHelper(isRoot: boolean, find = findProgram): CheckResult {
  const title = 'unmount helper';
  // As root umount(8) unmounts FUSE without a helper; otherwise fusermount3 or fusermount.
  const candidates = isRoot ? ['umount', 'fusermount3', 'fusermount'] : ['fusermount3', 'fusermount'];
  for (const name of candidates) {
    const found = find(name);
    if (found) return result('unmount-helper', title, 'ok', found);
  }
  return result('unmount-helper', title, 'fail', `none of ${candidates.join(', ')} is installed`, isRoot ? 'apt-get install mount fuse3' : 'apt-get install fuse3');
}

/** The directory holding logshadow's package.json, from src/ or dist/ alike. */
export function packageRoot(start = __dirname): string {
  for (let dir = start; dirname(dir) !== dir; dir = dirname(dir)) {
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === 'logshadow') return dir;
    } catch {
      // not here: keep climbing
    }
  }
  return join(start, '..', '..');
}

export function addonPath(name: string, root = packageRoot()): string {
  return join(root, 'native', 'build', 'Release', `${name}.node`);
}

/** A native addon: missing means "not built" (a warning unless it is the engine asked for). */
export function checkAddon(id: string, title: string, file: string, required: boolean, whatWithout: string): CheckResult {
  const fix = 'npm run build:native (needs libfuse3-dev, pkg-config, make, g++)';
  if (!existsSync(file)) return result(id, title, required ? 'fail' : 'warn', `not built (${file}); ${whatWithout}`, fix);
  const outcome = loadInChild('require', file);
  if (!outcome.ok) return result(id, title, required ? 'fail' : 'warn', `built but does not load: ${outcome.error}; ${whatWithout}`, fix);
  return result(id, title, 'ok', `${file} loads`);
}

export function checkNativeEngine(engine: EngineWanted, file = addonPath('logshadow_engine')): CheckResult {
  return checkAddon('native-engine', 'native engine addon', file, engine === 'native', 'mounts use the fuse-native engine');
}

export function checkAllocAddon(file = addonPath('logshadow_alloc')): CheckResult {
  return checkAddon('alloc-addon', 'allocation addon', file, false, 'no pre-allocation');
}

export function checkPrivileges(uid: number, statusText: string): CheckResult {
  const title = 'root and CAP_SYS_ADMIN';
  const caps = parseCapEff(statusText);
  const sysAdmin = caps !== null && hasCapability(caps, CAP_SYS_ADMIN);
  const capText = caps === null ? 'CapEff unknown' : `CapEff ${caps.toString(16)}, CAP_SYS_ADMIN ${sysAdmin ? 'present' : 'absent'}`;
  // logshadow mount itself insists on uid 0 (it mounts tmpfs and FUSE with allow_other).
  if (uid !== 0) return result('privileges', title, 'fail', `uid ${uid}, not root (${capText})`, 'run logshadow as root (sudo logshadow ...)');
  if (!sysAdmin) return result('privileges', title, 'fail', `root, but ${capText}: mount(2) will be refused`, `in a container: ${CONTAINER_FLAGS}`);
  return result('privileges', title, 'ok', `root, ${capText}`);
}

/** tmpfs in /proc/filesystems, and (when privileged and asked) a 1 MiB tmpfs really mounts. */
export async function checkTmpfs(filesystemsText: string, tryMount: boolean): Promise<CheckResult> {
  const title = 'tmpfs';
  if (!parseFilesystems(filesystemsText).has('tmpfs')) {
    return result('tmpfs', title, 'fail', '/proc/filesystems does not list tmpfs', 'use a kernel built with CONFIG_TMPFS (every distribution kernel has it)');
  }
  if (!tryMount) return result('tmpfs', title, 'ok', 'listed in /proc/filesystems (mount trial skipped)');
  const mount = findProgram('mount');
  const umount = findProgram('umount');
  if (!mount || !umount) return result('tmpfs', title, 'fail', 'listed, but mount(8) or umount(8) is missing', 'apt-get install mount');
  let dir: string;
  try {
    dir = mkdtempSync(join(tmpdir(), 'logshadow-doctor-'));
  } catch (err) {
    return result('tmpfs', title, 'warn', `listed; mount trial skipped: cannot make a temporary directory (${errnoOf(err)})`, 'check that $TMPDIR (or /tmp) is writable');
  }
  try {
    const r = await run(mount, ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'logshadow-doctor', dir], 10_000);
    if (r.code !== 0) {
      const why = r.stderr.trim().split('\n').pop() || `mount exited ${r.code}`;
      return result('tmpfs', title, 'fail', `listed, but mounting a 1 MiB tmpfs failed: ${why}`,
        `in a container: ${CONTAINER_FLAGS} --security-opt apparmor=unconfined (Docker's default AppArmor profile denies mount)`);
    }
    const off = await run(umount, ['--no-canonicalize', dir], 10_000);
    if (off.code === 0) return result('tmpfs', title, 'ok', 'listed in /proc/filesystems; a 1 MiB tmpfs mounts and unmounts');
    // Detached lazily if it can be; either way the trial did not end as it should, and says so.
    const lazy = await run(umount, ['--no-canonicalize', '--lazy', dir], 10_000);
    const why = off.stderr.trim().split('\n').pop() || `umount exited ${off.code}`;
    return lazy.code === 0
      ? result('tmpfs', title, 'warn', `a 1 MiB tmpfs mounts, but unmounts only lazily (${why})`, 'see what holds it: fuser -vm /tmp')
      : result('tmpfs', title, 'fail', `a 1 MiB tmpfs mounts, but does not unmount (${why}): it is still mounted at ${dir}`, `umount ${dir}`);
  } finally {
    // Only an empty directory with nothing mounted on it goes; a tmpfs left mounted keeps it.
    try {
      rmdirSync(dir);
    } catch {
      // still mounted (reported above), or already gone
    }
  }
}

export function checkNode(version = process.version, minimum = 20): CheckResult {
  const major = nodeMajor(version);
  if (major >= minimum) return result('node', 'Node.js', 'ok', `${version} (at least ${minimum} needed)`);
  return result('node', 'Node.js', 'fail', `${version} is older than ${minimum}`, `install Node.js ${minimum} or later (nodejs.org, or NodeSource's Debian packages)`);
}
