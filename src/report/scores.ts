import { FORECASTERS, type ForecasterKey, type HistoryView } from '../shadow/window-history';

/** How one forecaster did over the windows a report charts. */
export interface WindowScores {
  windows: number;
  /** Mean absolute error of the point forecast, bytes per window. */
  mae: number;
  /** Share of windows whose actual bytes fell inside [q05, q95] (0.9 is calibrated). */
  coverage90: number;
  /** Mean of point - actual: positive forecasts too much. */
  bias: number;
}

export type StreamWindows = HistoryView['streams'][number]['windows'];

/**
 * Scores over exactly the windows shown, so the numbers and the chart beside them agree (the
 * daemon's own scores cover its rolling window and the time since start). Same rules as the
 * daemon's scorer: absolute error of the point, closed intervals.
 */
export function scoreWindows(windows: StreamWindows): Record<ForecasterKey, WindowScores> {
  const out = {} as Record<ForecasterKey, WindowScores>;
  for (const f of FORECASTERS) {
    let abs = 0;
    let covered = 0;
    let bias = 0;
    for (const w of windows) {
      const issued = w[f];
      abs += Math.abs(w.actualBytes - issued.point);
      bias += issued.point - w.actualBytes;
      if (w.actualBytes >= issued.q05 && w.actualBytes <= issued.q95) covered++;
    }
    const n = windows.length;
    out[f] = { windows: n, mae: n ? abs / n : Number.NaN, coverage90: n ? covered / n : Number.NaN, bias: n ? bias / n : Number.NaN };
  }
  return out;
}

/** 1 - model MAE / best naive MAE: above 0 the model beats both naive forecasters. */
export function skillOverNaive(s: Record<ForecasterKey, WindowScores>): number {
  const naive = Math.min(s.naiveLast.mae, s.movingAverage.mae);
  if (!Number.isFinite(naive) || !Number.isFinite(s.model.mae)) return Number.NaN;
  if (naive === 0) return s.model.mae === 0 ? 0 : Number.NEGATIVE_INFINITY;
  return 1 - s.model.mae / naive;
}
