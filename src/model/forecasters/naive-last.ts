import type { Forecaster, ForecasterOptions, StateBlock } from '../forecaster';
import type { WindowHistory } from '../history';
import type { Predictive } from '../predictive';
import { lastWindowOrRate, ResidualRing } from './common';

/** Naive: the next window brings what the last one did. Intervals from its own recent errors. */
export class NaiveLast implements Forecaster {
  readonly name = 'naive-last';
  readonly stateSize: number;
  private readonly residuals: ResidualRing;

  constructor(o: ForecasterOptions) {
    this.residuals = new ResidualRing(o.residualWindows);
    this.stateSize = this.residuals.stateSize;
  }

  init(st: StateBlock, at: number): void {
    this.residuals.init(st, at);
  }

  predict(h: WindowHistory, out: Predictive, issued: boolean, st: StateBlock, at: number): void {
    const point = lastWindowOrRate(h);
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
