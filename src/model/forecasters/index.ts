import {
  DEFAULT_FORECASTER_OPTIONS,
  type Forecaster,
  type ForecasterFactory,
  type ForecasterOptions,
  type StateBlock,
} from '../forecaster';
import type { WindowHistory } from '../history';
import type { Predictive } from '../predictive';
import { stateRegion } from '../typed-arena';
import { Analog } from './analog';
import { Empirical } from './empirical';
import { Ensemble } from './ensemble';
import { HoltForecaster } from './holt';
import { MovingAverage } from './moving-average';
import { NaiveLast } from './naive-last';
import { NegBin } from './negbin';
import { RecentRate } from './recent-rate';
import { Seasonal } from './seasonal';

/** Every forecaster, by the name configuration and the CLI use. Factories get resolved options. */
const REGISTRY = new Map<string, ForecasterFactory>([
  ['naive-last', (o) => new NaiveLast(o)],
  ['moving-average', (o) => new MovingAverage(o)],
  ['empirical', () => new Empirical()],
  ['analog', () => new Analog()],
  ['seasonal', () => new Seasonal()],
  ['negbin', () => new NegBin()],
  ['holt', () => new HoltForecaster()],
  ['recent-rate', (o) => new RecentRate(o.ensembleShiftSlots > 0 ? o.ensembleShiftSlots : 2)],
  ['ensemble', (o) => new Ensemble(o, (name) => createResolved(name, o))],
]);

export function forecasterNames(): string[] {
  return [...REGISTRY.keys()];
}

export class UnknownForecasterError extends Error {
  readonly code = 'ERR_UNKNOWN_FORECASTER';
  constructor(name: string) {
    super(`unknown forecaster "${name}" (known: ${forecasterNames().join(', ')})`);
  }
}

/**
 * A forecaster with a state block of its own: one strategy, one stream's series (for tests and
 * offline use; StreamModel keeps all of a stream's blocks in one buffer).
 */
export class ForecasterInstance {
  readonly state: StateBlock;
  private readonly at: number;

  constructor(readonly strategy: Forecaster) {
    [this.state, this.at] = stateRegion(Math.max(1, strategy.stateSize));
    strategy.init(this.state, this.at);
  }

  get name(): string {
    return this.strategy.name;
  }

  get stateBytes(): number {
    return this.strategy.stateSize * 8;
  }

  /** See Forecaster.answering. */
  get answering(): string {
    return this.strategy.answering(this.state, this.at);
  }

  predict(h: WindowHistory, out: Predictive, issued: boolean): void {
    this.strategy.predict(h, out, issued, this.state, this.at);
  }

  observe(actual: number): void {
    this.strategy.observe(actual, this.state, this.at);
  }
}

export function createForecaster(name: string, options: Partial<ForecasterOptions> = {}): ForecasterInstance {
  return new ForecasterInstance(createResolved(name, resolveForecasterOptions(options)));
}

/**
 * Defaults filled in once, so that the many forecasters of a stream can share one options object.
 * Frozen: the strategies made from it are kept by its identity (createResolved).
 */
export function resolveForecasterOptions(options: Partial<ForecasterOptions> = {}): ForecasterOptions {
  return Object.freeze({ ...DEFAULT_FORECASTER_OPTIONS, ...options });
}

// Strategies hold no per-stream state, so every model made from one options object shares them.
const strategies = new WeakMap<ForecasterOptions, Map<string, Forecaster>>();

/** The strategy of that name for complete options (shared, not copied; one per options object). */
export function createResolved(name: string, options: ForecasterOptions): Forecaster {
  let byName = strategies.get(options);
  if (!byName) {
    byName = new Map();
    strategies.set(options, byName);
  }
  let f = byName.get(name);
  if (!f) {
    const factory = REGISTRY.get(name);
    if (!factory) throw new UnknownForecasterError(name);
    f = factory(options);
    byName.set(name, f);
  }
  return f;
}

export { Analog, Empirical, Ensemble, HoltForecaster, MovingAverage, NaiveLast, NegBin, RecentRate, Seasonal };
