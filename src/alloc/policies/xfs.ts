import { COARSE_LADDER, roundUpToLadder } from '../ladder';
import type { AllocationPolicy, PolicyInput } from '../policy';

/**
 * XFS's speculative EOF preallocation, for comparison: the file's recent growth rounded up to a
 * power of two, whatever any forecast says.
 */
export const xfsPolicy: AllocationPolicy = {
  name: 'xfs',
  target({ recentGrowthBytes }: PolicyInput): number {
    return roundUpToLadder(recentGrowthBytes, COARSE_LADDER);
  },
};
