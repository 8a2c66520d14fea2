import type { WindowHistory } from '../history';
import { lastWindowOrRate, ResidualForecaster } from './common';

/** Naive: the next window brings what the last one did. Intervals from its own recent errors. */
export class NaiveLast extends ResidualForecaster {
  readonly name = 'naive-last';

  protected point(h: WindowHistory): number {
    return lastWindowOrRate(h);
  }
}
