/**
 * Detects a heartbeat-like period in a stream's recent activity: for each candidate lag L (in
 * slots), the fraction of active slots whose slot L later (within +-1 slot, for jitter) is also
 * active. A periodic writer scores near 1 at its period; a steady stream scores near 1 at every
 * lag and is rejected by comparing with what independent activity of the same density would give;
 * a random sparse stream scores near its density. The smallest lag within 90% of the best score
 * wins, so that multiples of the period are not chosen over the period itself.
 *
 * O(lags x slots); StreamModel runs it every few windows and only for sparse streams (for dense
 * ones a period does not change the window totals).
 */
export interface PeriodOptions {
  minLag: number;
  maxLag: number;
  minRecurrence: number;
  minActive: number;
}

export function detectPeriod(active: (lag: number) => boolean, n: number, o: PeriodOptions): number {
  let count = 0;
  for (let t = 0; t < n; t++) if (active(t)) count++;
  if (count < o.minActive) return 0;
  const density = count / n;
  if (density > 0.5) return 0;
  const chance = 1 - Math.pow(1 - density, 3);
  const maxLag = Math.min(o.maxLag, Math.floor(n / 2.5));
  let bestLag = 0;
  let bestScore = 0;
  // scores are kept only for the two passes' comparison; recompute instead of storing per lag
  for (let pass = 0; pass < 2; pass++) {
    for (let L = Math.max(2, o.minLag); L <= maxLag; L++) {
      let hits = 0;
      let base = 0;
      for (let t = 0; t + L + 1 < n; t++) {
        if (!active(t)) continue;
        base++;
        if (active(t + L) || active(t + L - 1) || active(t + L + 1)) hits++;
      }
      if (base < o.minActive) continue;
      const score = hits / base;
      if (pass === 0) {
        if (score > bestScore) {
          bestScore = score;
          bestLag = L;
        }
      } else if (score >= 0.9 * bestScore) {
        if (!(bestScore >= o.minRecurrence && bestScore >= 2 * chance)) return 0;
        // the tolerance makes L - 1, L, L + 1 look alike: take the one with most exact repeats
        return sharpest(active, n, L, Math.min(L + 2, maxLag));
      }
    }
    if (bestLag === 0) return 0;
  }
  return 0;
}

function sharpest(active: (lag: number) => boolean, n: number, from: number, to: number): number {
  let best = from;
  let bestHits = -1;
  for (let L = from; L <= to; L++) {
    let hits = 0;
    for (let t = 0; t + L < n; t++) if (active(t) && active(t + L)) hits++;
    if (hits > bestHits) {
      bestHits = hits;
      best = L;
    }
  }
  return best;
}
