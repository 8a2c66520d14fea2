import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, realpathSync } from 'node:fs';
import { relative, isAbsolute, resolve } from 'node:path';
import type { Command } from 'commander';
import { withConfigFile } from '../../config/config-file';
import { checkTmpfsSize } from '../../config/memory-bound';
import { POLICY_NAMES } from '../../alloc/policies';
import {
  DEFAULTS, parseBudget, parseChoice, parseDuration, parseLevelOrOff, parsePatterns, parsePositiveInt, parseSize,
  type EngineChoice, type MountConfig,
} from '../../config/mount-config';
import { daemonLogPath } from '../../control/paths';
import { request } from '../../control/client';
import { createLogger, LOG_LEVELS } from '../../util/logger';
import { checkEnvironment, resolveDirectory } from '../../daemon/prepare-mountpoint';
import { ErrorCodes, ExitCodes, LogshadowError, optionError, type ErrorCode } from '../../errors';
import { failAndExit } from '../output';
import { parseListenAddress } from '../../metrics/listen-address';
import { socketPath } from '../../control/paths';
import { canonicalDir } from '../target';
import { daemonNodeArgs } from '../../daemon/node-flags';

interface MountFlags {
  size: string;
  backing?: string;
  engine: string;
  cache: string;
  refresh: string;
  horizon: string;
  warnFull: string;
  prealloc: string;
  preallocBudget: string;
  preallocLifetime: string;
  ringCapacity: string;
  runDir: string;
  logLevel: string;
  logFile?: string;
  pidFile?: string;
  background?: boolean;
  debugFuse?: boolean;
  /** commander's --no-profile: false when given. */
  profile?: boolean;
  metricsListen?: string;
  metricsMaxStreams: string;
  maxFiles: string;
  maxModels: string;
  historyWindows: string;
  config?: string;
  /** commander: a directory for --persist <dir>, false for --no-persist, undefined for neither. */
  persist?: string | false;
  maxUnsynced?: string;
  syncInterval: string;
  syncOn: string;
  finalSyncTimeout: string;
  direct?: string;
}

export function registerMount(program: Command): void {
  program
    .command('mount')
    .description('mount logshadow in place over a log directory (foreground unless --background)')
    .argument('<dir>', 'the log directory; applications keep writing to the same path')
    .option('--size <size>', 'RAM for the logs: the tmpfs logshadow mounts (the tails of a tiered mount, or a RAM-only directory not on tmpfs)', DEFAULTS.tmpfsSize)
    .option('--persist <dir>', 'keep the logs durable in this disk directory (for a <dir> on tmpfs); default: <dir> itself when it is on a persistent filesystem')
    .option('--no-persist', 'RAM only: nothing is written to disk (a <dir> not on tmpfs gets a fresh tmpfs, and must be empty)')
    .option('--max-unsynced <size>', 'tiered: the unsynced bytes (what a power cut would lose) the syncs keep under; writers wait above it (default: a quarter of --size)')
    .option('--sync-interval <duration>', 'tiered: every byte is on disk within about this long', `${DEFAULTS.syncIntervalMs / 60_000}m`)
    .option('--sync-on <level>', 'tiered: a line at or above this level is made durable within a tick (off: never)', DEFAULTS.syncOn)
    .option('--final-sync-timeout <duration>', 'tiered: how long unmount waits for the last sync before it keeps the rest in RAM', `${DEFAULTS.finalSyncMs / 1000}s`)
    .option('--direct <patterns>', 'tiered: files served straight from disk (shared mmap, records rewritten in place), comma-separated globs (default: journald\'s journals, wtmp, btmp, lastlog, faillog; none: no file)')
    .option('--backing <dir>', 'RAM only: keep the files in this (tmpfs) directory instead of under <dir>')
    .option('--engine <name>', 'data path: auto (native when built), native, fuse-native', DEFAULTS.engine)
    .option('--cache <mode>', 'writethrough (every write in tmpfs before it returns) or writeback', DEFAULTS.cache)
    .option('--refresh <duration>', 'profiler and forecast refresh period', `${DEFAULTS.refreshMs}ms`)
    .option('--horizon <duration>', 'how far ahead the shadow log forecasts', `${DEFAULTS.horizonMs / 1000}s`)
    .option('--warn-full <duration>', 'warn when the forecast fills the tmpfs within this long', `${DEFAULTS.warnFullMs / 60_000}m`)
    .option('--prealloc <policy>', `reservation policy: ${POLICY_NAMES.join(', ')} (none: off)`, DEFAULTS.prealloc)
    .option('--prealloc-budget <size|%>', 'most space reserved ahead of all files', DEFAULTS.preallocBudget)
    .option('--prealloc-lifetime <duration>', 'release a reservation unused for this long', `${DEFAULTS.preallocLifetimeMs / 1000}s`)
    .option('--ring-capacity <slots>', 'write-event ring slots (a power of two)', String(DEFAULTS.ringCapacity))
    .option('--run-dir <dir>', 'where control sockets live', DEFAULTS.runDir)
    .option('--log-level <level>', `daemon log level: ${LOG_LEVELS.join(', ')}`, DEFAULTS.logLevel)
    .option('--log-file <file>', 'also write the daemon log to this file (never inside the mount)')
    .option('--background', 'return once mounted; the daemon logs to --log-file or <run-dir>/<name>.log')
    .option('--pid-file <file>', 'write the pid of the process that holds the mount here (the native engine\'s; for systemd\'s PIDFile=)')
    .option('--debug-fuse', 'print every FUSE request (libfuse debug output)')
    .option('--no-profile', 'do not profile or forecast (only to measure what profiling costs)')
    .option('--metrics-listen <addr:port>', 'serve Prometheus metrics at http://<addr:port>/metrics (a bare port: loopback)')
    .option('--max-files <n>', 'file streams the profiler keeps (and files it remembers after their last close); the least recently written go first', String(DEFAULTS.maxFiles))
    .option('--max-models <n>', 'streams that hold a model (about 20 KiB each); one idle a window gives its own to a stream that writes', String(DEFAULTS.maxModels))
    .option('--history-windows <n>', 'scored forecast windows kept per file for `logshadow report` (60 B each, per file that holds a model)', String(DEFAULTS.historyWindows))
    .option('--metrics-max-streams <n>', 'files with their own label in the metrics; the rest sum under "(other)"', String(DEFAULTS.metricsMaxStreams))
    .option('--config <file>', 'mount options from a JSON file, keys spelled as the flags ("ring-capacity"); the command line wins')
    .addHelpText('after', `
Examples:
  logshadow mount /var/log/myapp       tiered: tails in RAM, history on disk
  logshadow mount /var/log/myapp --size 1G --sync-interval 1m --background
  logshadow mount /var/log --persist /var/hdd.log   tmpfs /var/log kept on disk
  logshadow mount /run/logs --no-persist            RAM only
  logshadow mount /run/logs --engine fuse-native  the reference engine
  logshadow mount /var/log/myapp --config /etc/logshadow/myapp.json`)
    .action(async (dir: string, flags: MountFlags, cmd: Command) => {
      try {
        const config = withConfigFile(cmd, flags, (merged) => toConfig(dir, merged));
        checkEnvironment(); // before --background touches the run directory, which is root's
        if (flags.background) await mountInBackground(config);
        else await runForeground(config);
      } catch (err) {
        failAndExit(err);
      }
    });
}

export function toConfig(dir: string, flags: MountFlags): MountConfig {
  const mountpoint = resolveDirectory(dir, 'directory');
  const ringCapacity = parsePositiveInt(flags.ringCapacity, '--ring-capacity');
  if ((ringCapacity & (ringCapacity - 1)) !== 0) throw optionError('--ring-capacity', `${ringCapacity} is not a power of two`);
  const logFile = flags.logFile ? canonicalDir(flags.logFile) : null;
  if (logFile && isInside(logFile, mountpoint)) {
    throw optionError('--log-file', `${flags.logFile} is inside the mount: the daemon never logs into a directory it serves`);
  }
  return {
    mountpoint,
    backing: flags.backing ?? null,
    tmpfsSizeBytes: checkTmpfsSize(parseSize(flags.size, '--size'), flags.size),
    engine: parseChoice<EngineChoice>(flags.engine, ['auto', 'native', 'fuse-native'], '--engine'),
    cache: parseChoice(flags.cache, ['writethrough', 'writeback'] as const, '--cache'),
    refreshMs: parseDuration(flags.refresh, '--refresh'),
    horizonMs: parseDuration(flags.horizon, '--horizon'),
    warnFullMs: parseDuration(flags.warnFull, '--warn-full'),
    prealloc: parseChoice(flags.prealloc, POLICY_NAMES, '--prealloc'),
    preallocBudget: parseBudget(flags.preallocBudget, '--prealloc-budget'),
    preallocLifetimeMs: parseDuration(flags.preallocLifetime, '--prealloc-lifetime'),
    ringCapacity,
    maxWrite: DEFAULTS.maxWrite,
    runDir: resolve(flags.runDir),
    logLevel: parseChoice(flags.logLevel, LOG_LEVELS, '--log-level'),
    logFile,
    pidFile: flags.pidFile ? resolve(flags.pidFile) : null,
    debugFuse: Boolean(flags.debugFuse),
    profile: flags.profile !== false,
    metricsListen: flags.metricsListen ? parseListenAddress(flags.metricsListen) : null,
    metricsMaxStreams: parsePositiveInt(flags.metricsMaxStreams, '--metrics-max-streams'),
    maxFiles: parsePositiveInt(flags.maxFiles, '--max-files'),
    maxModels: parsePositiveInt(flags.maxModels, '--max-models'),
    historyWindows: parsePositiveInt(flags.historyWindows, '--history-windows'),
    persist: persistOf(flags, mountpoint),
    maxUnsyncedBytes: flags.maxUnsynced === undefined ? null : parseSize(flags.maxUnsynced, '--max-unsynced', 64 * 1024),
    syncIntervalMs: parseDuration(flags.syncInterval, '--sync-interval'),
    syncOn: parseLevelOrOff(flags.syncOn, '--sync-on'),
    finalSyncMs: parseDuration(flags.finalSyncTimeout, '--final-sync-timeout'),
    direct: parsePatterns(flags.direct ?? DEFAULTS.direct, '--direct'),
  };
}

function persistOf(flags: MountFlags, mountpoint: string): MountConfig['persist'] {
  if (flags.persist === false) return 'off';
  if (flags.persist === undefined) return flags.backing ? 'off' : 'auto';
  if (flags.backing) throw optionError('--persist', 'does not go with --backing: --backing is for RAM-only mounts');
  const dir = resolveDirectory(flags.persist, 'persist directory');
  if (dir === mountpoint || isInside(dir, mountpoint)) {
    throw new LogshadowError(ErrorCodes.BAD_PERSIST, `--persist ${flags.persist} is inside the mount: the disk side must be reachable without it`);
  }
  return { dir };
}

function codeForExit(status: number): ErrorCode {
  switch (status) {
    case ExitCodes.USAGE: return ErrorCodes.USAGE;
    case ExitCodes.ENVIRONMENT: return ErrorCodes.ENVIRONMENT_FAILURE;
    case ExitCodes.NOT_MOUNTED: return ErrorCodes.NOT_MOUNTED;
    default: return ErrorCodes.MOUNT_FAILED;
  }
}

function isInside(file: string, dir: string): boolean {
  const rel = relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

async function runForeground(config: MountConfig): Promise<void> {
  const logger = createLogger(config.logLevel, config.logFile);
  // Loaded only here: the engines load libfuse at import time, and every other command (doctor
  // above all) must run on a machine that lacks it.
  const { Daemon } = await import('../../daemon/daemon');
  const daemon = new Daemon(config, logger, relaunchCommand());
  const shutdown = (signal: string) => {
    void daemon.stop(signal).then(
      () => process.exit(0),
      (err) => {
        logger.error('shutdown failed', { error: (err as Error).message });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGHUP', () => logger.info('SIGHUP ignored (logshadow keeps serving)'));
  await daemon.start();
}

/**
 * The command line that starts this daemon again in the foreground: the native engine runs it
 * when the daemon goes away without unmounting, and the new daemon attaches to the engine.
 */
function relaunchCommand(): string[] {
  const args = process.argv.slice(2).filter((a) => a !== '--background');
  return [process.execPath, ...daemonNodeArgs(process.execArgv), realpathSync(process.argv[1]), ...args];
}

/** Starts the daemon detached and returns once its control socket answers. */
async function mountInBackground(config: MountConfig): Promise<void> {
  mkdirSync(config.runDir, { recursive: true, mode: 0o700 });
  const logPath = config.logFile ?? daemonLogPath(config.runDir, config.mountpoint);
  const args = process.argv.slice(2).filter((a) => a !== '--background');
  const log = openSync(logPath, 'a', 0o600);
  const child = spawn(process.execPath, [...daemonNodeArgs([]), process.argv[1], ...args], { detached: true, stdio: ['ignore', log, log] });
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? 1));
  const socket = socketPath(config.runDir, config.mountpoint);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (exited !== null) {
      const lines = readFileSync(logPath, 'utf8').trim().split('\n');
      const last = (lines[lines.length - 1] ?? '').replace(/^logshadow: /, '');
      // The daemon's own error, with its own exit status (a usage error stays a usage error).
      throw new LogshadowError(codeForExit(exited), `${last} (log: ${logPath})`);
    }
    try {
      await request(socket, 'ping', {}, 1000);
      child.unref();
      process.stdout.write(`logshadow: ${config.mountpoint} mounted (daemon pid ${child.pid}, log ${logPath})\n`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new LogshadowError(ErrorCodes.MOUNT_FAILED, `the daemon did not come up within 30 s (log: ${logPath})`);
}
