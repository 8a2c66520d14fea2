/**
 * Writing the Prometheus text exposition format (version 0.0.4): a family's HELP and TYPE lines,
 * then its samples, families never interleaved. Names and label names are checked here, once, so
 * a typo fails the renderer's unit tests instead of a scrape.
 */
export type MetricType = 'counter' | 'gauge' | 'summary' | 'untyped';

export type Labels = Record<string, string>;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

export class Exposition {
  private readonly lines: string[] = [];
  private readonly seen = new Set<string>();
  private current: { name: string; type: MetricType } | null = null;

  /** Starts a family; every sample until the next family belongs to it. */
  family(name: string, type: MetricType, help: string): this {
    if (!METRIC_NAME.test(name)) throw new Error(`bad metric name ${name}`);
    if (this.seen.has(name)) throw new Error(`metric family ${name} written twice`);
    if (type === 'counter' && !name.endsWith('_total')) throw new Error(`counter ${name} must end in _total`);
    this.seen.add(name);
    this.current = { name, type };
    this.lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
    return this;
  }

  /** A sample of the current family; `suffix` is for a summary's _sum and _count. */
  sample(value: number, labels: Labels = {}, suffix = ''): this {
    const f = this.current;
    if (!f) throw new Error('a sample before any family');
    if (suffix && f.type !== 'summary') throw new Error(`suffix ${suffix} on a ${f.type}`);
    // promtool's rule: a quantile label means a summary, and nothing else may carry one.
    if ('quantile' in labels && (f.type !== 'summary' || suffix)) throw new Error(`quantile label on ${f.name}${suffix} (${f.type})`);
    const pairs = Object.entries(labels).map(([k, v]) => {
      if (!LABEL_NAME.test(k) || k.startsWith('__')) throw new Error(`bad label name ${k}`);
      return `${k}="${escapeLabelValue(v)}"`;
    });
    this.lines.push(`${f.name}${suffix}${pairs.length ? `{${pairs.join(',')}}` : ''} ${formatValue(value)}`);
    return this;
  }

  /** A family with one unlabelled sample. */
  single(name: string, type: MetricType, help: string, value: number): this {
    return this.family(name, type, help).sample(value);
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }
}
