import type { Forecast } from '../model/forecast';

/** What a policy sees of one file stream on each tick. */
export interface PolicyInput {
  /** The stream's forecast of the next horizon (bytes, lines, writes with quantiles). */
  forecast: Forecast;
  confidence: number;
  horizonMs: number;
  /** Bytes the file grew by over the last horizon (what XFS sizes from). */
  recentGrowthBytes: number;
}

/** Bytes to keep reserved ahead of the end of file (before throttling and the budget). */
export interface AllocationPolicy {
  readonly name: string;
  target(input: PolicyInput): number;
}
