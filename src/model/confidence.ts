/**
 * Confidence in [0, 1] of a stream's forecast: evidence x (stability blended with skill).
 *
 * - evidence: how much recent data there is, n / (n + n0) for a decayed write count n; a stream
 *   that stops loses it as the count decays.
 * - stability: a prior from the data alone, 1 / (1 + cv^2) of the recent window totals (1 for a
 *   constant stream, small for sparse bursty ones).
 * - skill: measured, 1 - symmetric relative error of the live forecast over recently scored
 *   windows (sum |y - f| / sum (|y| + |f|)), 1 when perfect, 0 when every forecast missed
 *   completely.
 * Stability and skill are blended geometrically, with skill's weight growing with the number of
 * scored windows (m / (m + m0)): before any scoring, confidence rests on the data; after a few
 * minutes of scored windows, on how well the forecasts actually did.
 */

/** Writes at which evidence is one half. */
export const EVIDENCE_HALF_COUNT = 10;
/** Scored windows at which skill and stability weigh the same. */
export const SKILL_HALF_WINDOWS = 6;

export function evidenceScore(count: number, halfCount = EVIDENCE_HALF_COUNT): number {
  return count > 0 ? count / (count + halfCount) : 0;
}

export function stabilityScore(cv2: number): number {
  return cv2 > 0 ? 1 / (1 + cv2) : 1;
}

/**
 * @param evidenceCount decayed count of recent writes
 * @param windowCv2 squared coefficient of variation of the recent window totals
 * @param skill 1 - symmetric relative error of the recently scored forecasts
 * @param scoredWindows how many windows that skill rests on
 * (Plain numbers, not an options object: it runs on every shadow-log refresh of every stream.)
 */
export function confidence(evidenceCount: number, windowCv2: number, skill: number, scoredWindows: number): number {
  const e = evidenceScore(evidenceCount);
  const s = stabilityScore(windowCv2);
  const k = skill < 0 ? 0 : skill > 1 ? 1 : skill;
  const w = scoredWindows > 0 ? scoredWindows / (scoredWindows + SKILL_HALF_WINDOWS) : 0;
  const c = e * Math.pow(s, 1 - w) * Math.pow(k, w);
  return Number.isFinite(c) ? Math.min(1, Math.max(0, c)) : 0;
}
