/** What the allocator did, per stream and in total: shown by stats. */
export class AllocCounters {
  /** Bytes allocated ahead of writes. */
  reservedBytes = 0;
  /** Bytes of appends that landed inside a reservation. */
  hitBytes = 0;
  /** Bytes appended while the allocator watched the file (the hit ratio's denominator). */
  watchedBytes = 0;
  /** The same two, counted only while the stream's confidence was high (the policy's aggressive mode). */
  confidentHitBytes = 0;
  confidentWatchedBytes = 0;
  /** Reserved bytes released without having been written (the waste). */
  releasedUnusedBytes = 0;
  fallocateCalls = 0;
  fallocateFailures = 0;
  lastError = '';

  add(o: AllocCounters): void {
    this.reservedBytes += o.reservedBytes;
    this.hitBytes += o.hitBytes;
    this.watchedBytes += o.watchedBytes;
    this.confidentHitBytes += o.confidentHitBytes;
    this.confidentWatchedBytes += o.confidentWatchedBytes;
    this.releasedUnusedBytes += o.releasedUnusedBytes;
    this.fallocateCalls += o.fallocateCalls;
    this.fallocateFailures += o.fallocateFailures;
  }

  toJSON(): Record<string, number | string> {
    return {
      reservedBytes: this.reservedBytes,
      hitBytes: this.hitBytes,
      watchedBytes: this.watchedBytes,
      hitRatio: this.watchedBytes > 0 ? this.hitBytes / this.watchedBytes : Number.NaN,
      confidentHitBytes: this.confidentHitBytes,
      confidentWatchedBytes: this.confidentWatchedBytes,
      confidentHitRatio: this.confidentWatchedBytes > 0 ? this.confidentHitBytes / this.confidentWatchedBytes : Number.NaN,
      releasedUnusedBytes: this.releasedUnusedBytes,
      wasteRatio: this.watchedBytes > 0 ? this.releasedUnusedBytes / this.watchedBytes : Number.NaN,
      fallocateCalls: this.fallocateCalls,
      fallocateFailures: this.fallocateFailures,
      lastError: this.lastError,
    };
  }
}
