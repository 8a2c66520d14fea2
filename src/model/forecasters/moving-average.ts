import type { ForecasterOptions } from '../forecaster';
import type { WindowHistory } from '../history';
import { lastWindowOrRate, ResidualForecaster } from './common';

/** Naive: the mean of the last k windows (fewer while fewer exist). Residual-based intervals. */
export class MovingAverage extends ResidualForecaster {
  readonly name = 'moving-average';
  private readonly k: number;

  constructor(o: ForecasterOptions) {
    if (!(o.movingAverageWindows >= 1)) throw new RangeError('movingAverageWindows must be >= 1');
    super(o);
    this.k = Math.floor(o.movingAverageWindows);
  }

  protected point(h: WindowHistory): number {
    const n = Math.min(this.k, h.length);
    if (n === 0) return lastWindowOrRate(h);
    let s = 0;
    for (let i = 0; i < n; i++) s += h.at(i);
    return s / n;
  }
}
