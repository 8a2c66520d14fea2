/**
 * The cost of the daemon's own refresh, so the user can weigh the refresh rate: the durations of
 * its slices (see RefreshSlices; a request's own refresh is one too), the last `capacity` in a
 * fixed ring, summarised only when asked.
 */
export class TickStats {
  private readonly durations: Float64Array;
  private n = 0;
  count = 0;
  /** Every tick's duration added up since the start (a summary's _sum). */
  sumMs = 0;
  lastStreams = 0;

  constructor(capacity = 1024) {
    this.durations = new Float64Array(capacity);
  }

  record(ms: number, activeStreams: number): void {
    this.durations[this.n++ % this.durations.length] = ms;
    this.count++;
    this.sumMs += ms;
    this.lastStreams = activeStreams;
  }

  /**
   * Mean, p99 and max over the last `capacity` ticks, or over those recorded after the first
   * `since` (as many of them as the ring still holds): a benchmark marks `count` once the load is
   * steady and asks for what came after, without the ticks of its start-up.
   */
  summary(since = 0): { count: number; sumMs: number; meanMs: number; p99Ms: number; maxMs: number; activeStreams: number; ticks: number } {
    const cap = this.durations.length;
    const k = Math.min(this.n, cap, Math.max(0, this.n - since));
    if (k === 0) return { count: this.count, sumMs: this.sumMs, meanMs: 0, p99Ms: 0, maxMs: 0, activeStreams: this.lastStreams, ticks: 0 };
    const sorted = new Float64Array(k);
    for (let i = 0; i < k; i++) sorted[i] = this.durations[(this.n - k + i) % cap];
    sorted.sort();
    const mean = sorted.reduce((a, b) => a + b, 0) / k;
    return {
      count: this.count,
      sumMs: this.sumMs,
      meanMs: mean,
      p99Ms: sorted[Math.min(k - 1, Math.floor(0.99 * k))],
      maxMs: sorted[k - 1],
      activeStreams: this.lastStreams,
      ticks: k,
    };
  }
}
