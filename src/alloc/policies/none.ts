import type { AllocationPolicy } from '../policy';

/** Pre-allocation off: the baseline every other policy is measured against. */
export const nonePolicy: AllocationPolicy = { name: 'none', target: () => 0 };
