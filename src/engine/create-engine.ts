import type { MountConfig } from '../config/mount-config';
import type { PreparedMount } from '../daemon/prepare-mountpoint';
import type { Engine, EngineMountOptions } from './engine';
import { FuseNativeEngine } from './fuse-native/fuse-native-engine';

export interface EngineChoiceResult {
  engine: Engine;
  /** Why the preferred engine was not used, when it was not. */
  fallbackReason: string | null;
}

/** Chosen once at mount time (the pino/mergerfs practice), never per request. */
export function createEngine(config: MountConfig, prepared: PreparedMount): EngineChoiceResult {
  const options: EngineMountOptions = {
    mountpoint: prepared.mountpoint,
    backingFd: prepared.backingFd,
    backingPath: prepared.backingPath,
    cache: config.cache,
    maxWrite: config.maxWrite,
    ringCapacity: config.ringCapacity,
    debug: config.debugFuse,
  };
  return { engine: new FuseNativeEngine(options), fallbackReason: null };
}
