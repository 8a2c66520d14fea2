import type { MountConfig } from '../config/mount-config';
import { daemonLogPath, engineSocketPath, pidFilePath } from '../control/paths';
import { ErrorCodes, LogshadowError, usageError } from '../errors';
import type { Engine, EngineMountOptions } from '../engine/engine';
import { NativeEngine } from '../engine/native/native-engine';
import type { PreparedMount } from './prepare-mountpoint';

export interface EngineChoiceResult {
  engine: Engine;
  /** Why the preferred engine was not used, when it was not. */
  fallbackReason: string | null;
}

/**
 * Chosen once at mount time (the pino/mergerfs practice), never per request. `auto` takes the
 * native engine when its addon loads and falls back to fuse-native, saying why; asking for an
 * engine by name gets that engine or an error. fuse-native is loaded only when chosen, so a
 * machine without libfuse 2 can still run the native engine.
 */
export function createEngine(config: MountConfig, prepared: PreparedMount, relaunch: string[] | null = null): EngineChoiceResult {
  if (prepared.attached) return { engine: prepared.attached, fallbackReason: null };
  const options: EngineMountOptions = {
    mountpoint: prepared.mountpoint,
    backingFd: prepared.backingFd,
    backingPath: prepared.backingPath,
    cache: config.cache,
    maxWrite: config.maxWrite,
    ringCapacity: config.ringCapacity,
    debug: config.debugFuse,
    ...(prepared.tiered && {
      tiered: {
        ramDirFd: prepared.tiered.ramFd,
        maxUnsyncedBytes: maxUnsyncedOf(config),
        syncIntervalMs: config.syncIntervalMs,
        finalSyncMs: config.finalSyncMs,
        diskReserve: config.prealloc !== 'none',
        directPatterns: config.direct,
      },
    }),
  };
  const native = NativeEngine.available();
  if (config.engine === 'native' || (config.engine === 'auto' && native.ok)) {
    if (!native.ok) {
      throw new LogshadowError(ErrorCodes.ENGINE_UNAVAILABLE, `the native engine is unavailable (${native.reason}); build it with npm run build:native, or use --engine fuse-native`);
    }
    return {
      engine: new NativeEngine({
        ...options,
        process: {
          socketPath: engineSocketPath(config.runDir, config.mountpoint),
          pidFile: config.pidFile ?? pidFilePath(config.runDir, config.mountpoint),
          ramDir: prepared.tiered?.ramDir ?? null,
          daemonCommand: relaunch,
          daemonLog: config.logFile ?? daemonLogPath(config.runDir, config.mountpoint),
        },
      }),
      fallbackReason: null,
    };
  }
  if (config.cache === 'writeback') {
    throw usageError(`--cache writeback needs the native engine${native.ok ? '' : `, which is unavailable (${!native.ok ? native.reason : ''})`}`);
  }
  const fallbackReason = config.engine === 'auto' && !native.ok
    ? `the native engine is unavailable (${native.reason}): falling back to the fuse-native engine, whose data path runs JavaScript per operation`
    : null;
  // Loaded here, not imported above: fuse-native's binding needs libfuse 2 at load time.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { FuseNativeEngine } = require('../engine/fuse-native/fuse-native-engine') as typeof import('../engine/fuse-native/fuse-native-engine');
  return { engine: new FuseNativeEngine(options), fallbackReason };
}

/** The unsynced total the syncs keep under: --max-unsynced, or a quarter of the RAM side. */
export function maxUnsyncedOf(config: MountConfig): number {
  return config.maxUnsyncedBytes ?? Math.floor(config.tmpfsSizeBytes / 4);
}
