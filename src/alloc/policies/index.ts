import type { AllocationPolicy } from '../policy';
import { forecastPolicy } from './forecast';
import { nonePolicy } from './none';
import { xfsPolicy } from './xfs';

/** Policies by name (mergerfs's policy_<name> practice); `--prealloc <name>` picks one. */
export const POLICIES: Record<string, AllocationPolicy> = {
  forecast: forecastPolicy,
  xfs: xfsPolicy,
  none: nonePolicy,
};

export const POLICY_NAMES = Object.keys(POLICIES);
