import { COARSE_LADDER, FINE_LADDER, roundUpToLadder } from '../ladder';
import type { AllocationPolicy, PolicyInput } from '../policy';

/** Below this confidence a stream has not earned a reservation yet. */
export const MIN_CONFIDENCE = 0.3;
/** From this confidence on, reservations are aggressive. */
export const HIGH_CONFIDENCE = 0.7;

/**
 * The default: granularity follows confidence. A confident stream reserves the upper end of its
 * 90% interval in large aligned chunks; a less certain one reserves its median in small chunks;
 * a new or erratic one reserves nothing until it has shown its pattern.
 */
export const forecastPolicy: AllocationPolicy = {
  name: 'forecast',
  target({ forecast, confidence }: PolicyInput): number {
    if (confidence < MIN_CONFIDENCE) return 0;
    if (confidence >= HIGH_CONFIDENCE) return roundUpToLadder(forecast.bytes.q95, COARSE_LADDER);
    return roundUpToLadder(forecast.bytes.median, FINE_LADDER);
  },
};
