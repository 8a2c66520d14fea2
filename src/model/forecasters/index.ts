import {
  DEFAULT_FORECASTER_OPTIONS,
  type Forecaster,
  type ForecasterFactory,
  type ForecasterOptions,
} from '../forecaster';
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

export function createForecaster(name: string, options: Partial<ForecasterOptions> = {}): Forecaster {
  return createResolved(name, resolveForecasterOptions(options));
}

/** Defaults filled in once, so that the many forecasters of a stream can share one options object. */
export function resolveForecasterOptions(options: Partial<ForecasterOptions> = {}): ForecasterOptions {
  return { ...DEFAULT_FORECASTER_OPTIONS, ...options };
}

/** Creates a forecaster from complete options (shared, not copied). */
export function createResolved(name: string, options: ForecasterOptions): Forecaster {
  const factory = REGISTRY.get(name);
  if (!factory) throw new UnknownForecasterError(name);
  return factory(options);
}

export { Analog, Empirical, Ensemble, HoltForecaster, MovingAverage, NaiveLast, NegBin, RecentRate, Seasonal };
