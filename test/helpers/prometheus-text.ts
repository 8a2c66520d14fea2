/**
 * A small, strict reader of the Prometheus text exposition format (0.0.4) for the tests: it
 * throws on anything a scraper could reject or misread, so a test that parses the metrics checks
 * their form as well as their values.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'summary', 'histogram', 'untyped']);

function parseValue(text: string, where: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`${where}: bad value "${text}"`);
  return Number(text);
}

function parseLabels(text: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new Error(`${where}: label without =`);
    const name = text.slice(i, eq);
    if (!LABEL.test(name)) throw new Error(`${where}: bad label name "${name}"`);
    if (name in labels) throw new Error(`${where}: label ${name} twice`);
    if (text[eq + 1] !== '"') throw new Error(`${where}: label value not quoted`);
    let j = eq + 2;
    let value = '';
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === '\\') {
        const next = text[++j];
        if (next === 'n') value += '\n';
        else if (next === '\\' || next === '"') value += next;
        else throw new Error(`${where}: bad escape \\${next}`);
      } else if (text[j] === '\n') throw new Error(`${where}: raw newline in a label value`);
      else value += text[j];
    }
    if (text[j] !== '"') throw new Error(`${where}: unterminated label value`);
    labels[name] = value;
    i = j + 1;
    if (i < text.length) {
      if (text[i] !== ',') throw new Error(`${where}: expected , between labels`);
      i++;
    }
  }
  return labels;
}

/** The family a sample belongs to: its own name, or a summary/histogram's base name. */
function familyOf(name: string, families: Map<string, Family>): Family | undefined {
  if (families.has(name)) return families.get(name);
  for (const suffix of ['_sum', '_count', '_bucket']) {
    if (name.endsWith(suffix)) {
      const f = families.get(name.slice(0, -suffix.length));
      if (f && (f.type === 'summary' || f.type === 'histogram')) return f;
    }
  }
  return undefined;
}

export function parseExposition(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, Family>();
  const closed = new Set<string>();
  let current: Family | null = null;
  const seenSeries = new Set<string>();
  text.slice(0, -1).split('\n').forEach((line, n) => {
    const where = `line ${n + 1}`;
    if (line === '') throw new Error(`${where}: empty line`);
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta;
      if (!NAME.test(name)) throw new Error(`${where}: bad metric name ${name}`);
      if (closed.has(name)) throw new Error(`${where}: family ${name} continues after another family`);
      let f = families.get(name);
      if (!f) {
        f = { name, type: '', help: '', samples: [] };
        families.set(name, f);
        if (current && current.name !== name) closed.add(current.name);
        current = f;
      }
      if (kind === 'TYPE') {
        if (f.type) throw new Error(`${where}: second TYPE for ${name}`);
        if (f.samples.length) throw new Error(`${where}: TYPE after samples of ${name}`);
        if (!TYPES.has(rest)) throw new Error(`${where}: unknown type ${rest}`);
        f.type = rest;
      } else f.help = rest;
      return;
    }
    if (line.startsWith('#')) return;
    const m = /^([^\s{]+)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/.exec(line);
    if (!m) throw new Error(`${where}: not a sample: ${line}`);
    const [, name, labelText, valueText] = m;
    if (!NAME.test(name)) throw new Error(`${where}: bad metric name ${name}`);
    const f = familyOf(name, families);
    if (!f || !f.type) throw new Error(`${where}: sample ${name} has no TYPE'd family`);
    if (f !== current) throw new Error(`${where}: sample of ${f.name} outside its family's block`);
    if (f.type === 'counter' && !name.endsWith('_total')) throw new Error(`${where}: counter ${name} does not end in _total`);
    const labels = parseLabels(labelText ?? '', where);
    if ('quantile' in labels && !(f.type === 'summary' && name === f.name)) throw new Error(`${where}: quantile label on ${name} (${f.type}): only a summary's quantiles carry one`);
    const series = `${name}{${Object.entries(labels).sort().map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
    if (seenSeries.has(series)) throw new Error(`${where}: series ${series} twice`);
    seenSeries.add(series);
    const value = parseValue(valueText, where);
    if (f.type === 'counter' && !(value >= 0)) throw new Error(`${where}: counter ${name} is ${valueText}`);
    f.samples.push({ name, labels, value });
  });
  for (const f of families.values()) if (!f.type) throw new Error(`family ${f.name} has no TYPE`);
  return families;
}

/** The one sample of a family matching `labels` (all given labels equal). */
export function sampleOf(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const f = families.get(name);
  if (!f) throw new Error(`no family ${name}`);
  const hits = f.samples.filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (hits.length !== 1) throw new Error(`${hits.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return hits[0].value;
}
