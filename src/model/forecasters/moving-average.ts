import type { Forecaster, ForecasterOptions, StateBlock } from '../forecaster';
import type { WindowHistory } from '../history';
import type { Predictive } from '../predictive';
import { lastWindowOrRate, ResidualRing } from './common';

/** Naive: the mean of the last k windows (fewer while fewer exist). Residual-based intervals. */
export class MovingAverage implements Forecaster {
  readonly name = 'moving-average';
  readonly stateSize: number;
  private readonly residuals: ResidualRing;
  private readonly k: number;

  constructor(o: ForecasterOptions) {
    if (!(o.movingAverageWindows >= 1)) throw new RangeError('movingAverageWindows must be >= 1');
    this.k = Math.floor(o.movingAverageWindows);
    this.residuals = new ResidualRing(o.residualWindows);
    this.stateSize = this.residuals.stateSize;
  }

  init(st: StateBlock, at: number): void {
    this.residuals.init(st, at);
  }

  predict(h: WindowHistory, out: Predictive, issued: boolean, st: StateBlock, at: number): void {
    const n = Math.min(this.k, h.length);
    let point: number;
    if (n === 0) point = lastWindowOrRate(h);
    else {
      let s = 0;
      for (let i = 0; i < n; i++) s += h.at(i);
      point = s / n;
    }
    this.residuals.fill(st, at, out, point, h.unit);
    if (issued) this.residuals.issue(st, at, point);
  }

  observe(actual: number, st: StateBlock, at: number): void {
    this.residuals.observe(st, at, actual);
  }

  answering(): string {
    return this.name;
  }
}
