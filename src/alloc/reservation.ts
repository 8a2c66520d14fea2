/**
 * One file's reservation: blocks allocated past its end of file with FALLOC_FL_KEEP_SIZE, so the
 * next appends land in memory that is already theirs.
 */
export class Reservation {
  /** Start of the reserved range (the end of file when it was first reserved). */
  start: number;
  /** End of the reserved range. */
  end: number;
  /** The file size seen last tick. */
  lastSize: number;
  /** When the file last grew, ms (monotonic). */
  lastGrowthMs: number;
  /** Why it is being given back, while it waits for its file's writers to close; null otherwise. */
  releasing: string | null = null;
  /** The file grew between the allocator's last two passes. */
  grewSinceLastPass = false;
  /** Growth over the last horizon, for policies that size from it. */
  recentGrowth = 0;
  private growthWindowStartMs: number;
  private growthInWindow = 0;

  constructor(readonly fd: number, size: number, nowMs: number) {
    this.start = size;
    this.end = size;
    this.lastSize = size;
    this.lastGrowthMs = nowMs;
    this.growthWindowStartMs = nowMs;
  }

  /** Reserved bytes not yet written into. */
  ahead(size: number): number {
    return Math.max(0, this.end - Math.max(size, this.start));
  }

  /** Bytes of the growth [from, to) that fell inside the reserved range. */
  inside(from: number, to: number): number {
    return Math.max(0, Math.min(to, this.end) - Math.max(from, this.start));
  }

  noteGrowth(grew: number, nowMs: number, horizonMs: number): void {
    this.growthInWindow += grew;
    if (nowMs - this.growthWindowStartMs >= horizonMs) {
      this.recentGrowth = this.growthInWindow;
      this.growthInWindow = 0;
      this.growthWindowStartMs = nowMs;
    }
  }
}
