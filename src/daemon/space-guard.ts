import type { FilesystemShadow } from '../shadow/shadow-log';
import type { Logger } from '../util/logger';

export interface SpaceFlags {
  /** The forecast (at its upper 95% bound) fills the tmpfs within the warning time. */
  fillsSoon: boolean;
  /** Less than 5% of the tmpfs is free. */
  lowFree: boolean;
}

/** Below this share of free space the RAM disk is nearly full, whatever the forecast says. */
export const LOW_FREE_SHARE = 0.05;

/**
 * Watches the whole-filesystem shadow for the RAM-disk complaint users have most: filling up
 * without warning. Logs once when a condition starts and once when it clears, not every tick.
 */
export class SpaceGuard {
  private state: SpaceFlags = { fillsSoon: false, lowFree: false };

  constructor(private readonly logger: Logger, private readonly warnFullSec: number) {}

  check(fs: FilesystemShadow): void {
    if (fs.sizeBytes === 0) return;
    const ttf = fs.timeToFullSec.atP95;
    const fillsSoon = ttf !== null && ttf < this.warnFullSec;
    const lowFree = fs.freeBytes / fs.sizeBytes < LOW_FREE_SHARE;
    if (fillsSoon !== this.state.fillsSoon) {
      if (fillsSoon) {
        this.logger.warn('the tmpfs is forecast to fill up soon', {
          inSec: Math.round(ttf!), freeBytes: fs.freeBytes, forecastBytesPerHorizon: Math.round(fs.bytes.p90[1]),
        });
      } else this.logger.info('the tmpfs is no longer forecast to fill up soon', { freeBytes: fs.freeBytes });
    }
    if (lowFree !== this.state.lowFree) {
      if (lowFree) this.logger.warn('less than 5% of the tmpfs is free', { freeBytes: fs.freeBytes, sizeBytes: fs.sizeBytes });
      else this.logger.info('free space on the tmpfs is back above 5%', { freeBytes: fs.freeBytes });
    }
    this.state = { fillsSoon, lowFree };
  }

  flags(): SpaceFlags {
    return { ...this.state };
  }
}
