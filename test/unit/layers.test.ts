import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The folders of src/ form layers, bottom to top (docs/architecture.md, "The layers"): a folder
 * imports only folders of its own layer or below, and no folder reaches itself through the imports
 * of its files. Folders share a layer when neither is above the other (they may still import one
 * another, never in a circle). A new folder needs a place here before the tests pass.
 */
const LAYERS: readonly (readonly string[])[] = [
  // errors is src/errors.ts: a file at the root counts as a folder of its own name.
  ['errors', 'types', 'util'],
  ['ring'],
  ['engine'],
  ['model'],
  ['profile'],
  ['shadow'],
  ['alloc'],
  ['control', 'metrics'],
  ['config'],
  ['daemon'],
  ['doctor', 'replay', 'report'],
  ['cli'],
];

const SRC = resolve(__dirname, '../../src');

/** An import of one file by another, as written. */
interface Import {
  file: string;
  specifier: string;
}

/** Static imports and re-exports, `import('...')` (types included) and `require('...')`, relative only. */
const IMPORT = /\bfrom\s*(['"])(\.[^'"]*)\1|\bimport\s*(['"])(\.[^'"]*)\3|\bimport\s*\(\s*(['"])(\.[^'"]*)\5\s*\)|\brequire\s*\(\s*(['"])(\.[^'"]*)\7\s*\)/g;

function relativeImports(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(IMPORT)) out.push((m[2] ?? m[4] ?? m[6] ?? m[8])!);
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.isFile() && e.name.endsWith('.ts') ? [path] : [];
  });
}

/** The first path component under src/ (without the extension, for a file at the root); null outside src/. */
function folderOf(path: string): string | null {
  const rel = relative(SRC, path);
  if (rel.startsWith('..') || rel === '') return null;
  const first = rel.split(sep)[0]!;
  return rel.includes(sep) ? first : first.replace(/\.(d\.ts|ts|js|json)$/, '');
}

/** Folder to folder, each edge with the imports that make it. */
function folderGraph(): Map<string, Map<string, Import[]>> {
  const graph = new Map<string, Map<string, Import[]>>();
  for (const file of sourceFiles(SRC)) {
    const from = folderOf(file)!;
    if (!graph.has(from)) graph.set(from, new Map());
    for (const specifier of relativeImports(readFileSync(file, 'utf8'))) {
      const to = folderOf(resolve(dirname(file), specifier));
      if (to === null || to === from) continue;
      const edges = graph.get(from)!;
      if (!edges.has(to)) edges.set(to, []);
      edges.get(to)!.push({ file: relative(SRC, file), specifier });
    }
  }
  return graph;
}

/** A cycle through `start`, found by a depth-first walk: the folders on it, ending where it began. */
function cycleThrough(graph: Map<string, Map<string, Import[]>>, start: string): string[] | null {
  const seen = new Set<string>();
  const walk = (at: string, path: string[]): string[] | null => {
    for (const next of [...(graph.get(at)?.keys() ?? [])].sort()) {
      if (next === start) return [...path, next];
      if (seen.has(next)) continue;
      seen.add(next);
      const found = walk(next, [...path, next]);
      if (found) return found;
    }
    return null;
  };
  return walk(start, [start]);
}

function describeEdge(graph: Map<string, Map<string, Import[]>>, from: string, to: string): string {
  const imports = graph.get(from)!.get(to)!;
  const shown = imports.slice(0, 2).map((i) => `${i.file} imports '${i.specifier}'`).join('; ');
  return `  ${from} -> ${to}: ${shown}${imports.length > 2 ? ` (and ${imports.length - 2} more)` : ''}`;
}

describe('the layers of src/', () => {
  const graph = folderGraph();
  const layerOf = new Map(LAYERS.flatMap((folders, i) => folders.map((f) => [f, i] as const)));

  test('the import reader finds every form of relative import, and only relative ones', () => {
    const source = [
      "import { a } from './a';",
      "import type { B } from '../b/b';",
      "export { c } from './c';",
      "import './side-effect';",
      "const d = require('./d') as typeof import('./d-type');",
      "const e = await import('../e');",
      "import winston from 'winston';",
      "const fs = require('node:fs');",
    ].join('\n');
    expect(relativeImports(source)).toEqual(['./a', '../b/b', './c', './side-effect', './d', './d-type', '../e']);
    // Not vacuous: the folders are read, and the CLI at the top reaches the daemon it starts.
    expect(graph.get('cli')?.has('daemon')).toBe(true);
  });

  test('every folder of src/ has its place in exactly one layer', () => {
    const placed = LAYERS.flat();
    expect(placed.length).toBe(new Set(placed).size);
    expect([...graph.keys()].filter((f) => !layerOf.has(f)).sort()).toEqual([]);
    expect(placed.filter((f) => !graph.has(f))).toEqual([]);
  });

  test('no folder reaches itself through the imports of its files', () => {
    const cycles: string[] = [];
    const named = new Set<string>();
    for (const folder of [...graph.keys()].sort()) {
      if (named.has(folder)) continue;
      const cycle = cycleThrough(graph, folder);
      if (!cycle) continue;
      cycle.forEach((f) => named.add(f));
      const edges = cycle.slice(1).map((to, i) => describeEdge(graph, cycle[i]!, to));
      cycles.push(`${cycle.join(' -> ')}\n${edges.join('\n')}`);
    }
    if (cycles.length > 0) throw new Error(`folders of src/ that import themselves in a circle:\n${cycles.join('\n')}`);
  });

  test('each folder imports only folders of its own layer or below', () => {
    const upward: string[] = [];
    for (const [from, edges] of graph) {
      for (const to of edges.keys()) {
        const a = layerOf.get(from);
        const b = layerOf.get(to);
        if (a !== undefined && b !== undefined && b > a) upward.push(describeEdge(graph, from, to));
      }
    }
    if (upward.length > 0) {
      const order = LAYERS.map((l) => l.join(', ')).join(' < ');
      throw new Error(`imports that reach up the layers (${order}):\n${upward.sort().join('\n')}`);
    }
  });
});
