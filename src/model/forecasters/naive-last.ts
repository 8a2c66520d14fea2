import type { Forecaster, ForecasterOptions } from '../forecaster';
import type { WindowHistory } from '../history';
import type { Predictive } from '../predictive';
import { lastWindowOrRate, ResidualRing } from './common';

/** Naive: the next window brings what the last one did. Intervals from its own recent errors. */
export class NaiveLast implements Forecaster {
  readonly name = 'naive-last';
  private readonly residuals: ResidualRing;

  constructor(o: ForecasterOptions) {
    this.residuals = new ResidualRing(o.residualWindows);
  }

  get stateBytes(): number {
    return this.residuals.stateBytes;
  }

  predict(h: WindowHistory, out: Predictive, issued: boolean): void {
    const point = lastWindowOrRate(h);
    this.residuals.fill(out, point, h.unit);
    if (issued) this.residuals.issue(point);
  }

  observe(actual: number): void {
    this.residuals.observe(actual);
  }
}
