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
export interface ConfidenceInputs {
  evidenceCount: number;
  windowCv2: number;
  skill: number;
  scoredWindows: number;
}

export const EVIDENCE_HALF_COUNT = 10;
export const SKILL_HALF_WINDOWS = 6;

export function evidenceScore(count: number, halfCount = EVIDENCE_HALF_COUNT): number {
  return count > 0 ? count / (count + halfCount) : 0;
}

export function stabilityScore(cv2: number): number {
  return cv2 > 0 ? 1 / (1 + cv2) : 1;
}

export function confidence(inp: ConfidenceInputs): number {
  const e = evidenceScore(inp.evidenceCount);
  const s = stabilityScore(inp.windowCv2);
  const k = inp.skill < 0 ? 0 : inp.skill > 1 ? 1 : inp.skill;
  const w = inp.scoredWindows > 0 ? inp.scoredWindows / (inp.scoredWindows + SKILL_HALF_WINDOWS) : 0;
  const c = e * Math.pow(s, 1 - w) * Math.pow(k, w);
  return Number.isFinite(c) ? Math.min(1, Math.max(0, c)) : 0;
}
