import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Command, Option } from 'commander';
import { OptionError, usageError } from '../errors';
import { jsonSyntaxError } from './json-error';

/**
 * `mount --config <file.json>`: a JSON object whose keys are the mount flags spelled exactly as on
 * the command line without the leading dashes (kebab-case: "ring-capacity", "log-level"), so a
 * flag and its key are always the same word. The file only yields the flags object that the
 * command line would have produced (strings and booleans); every value is validated afterwards
 * by the same code as a command-line value, and an option given on the command line wins.
 */
export interface OptionSpec {
  /** The key in the file: the long flag without "--" (without "--no-" for a negated flag). */
  key: string;
  /** The property of commander's flags object. */
  attribute: string;
  /** 'value-or-false': a value flag with a negated twin (--persist <dir> and --no-persist). */
  kind: 'value' | 'boolean' | 'value-or-false';
  /** A relative path in the file is taken relative to the file's own directory. */
  isPath: boolean;
}

/** Options that say how this invocation runs rather than what is mounted. */
const NOT_IN_FILE = new Map([
  ['config', 'a config file cannot name another one'],
  ['background', 'pass --background on the command line'],
]);

export type FileFlags = Record<string, string | boolean>;

export interface LoadedConfigFile {
  /** Absolute path of the file. */
  file: string;
  /** The path as the user gave it, for messages. */
  shown: string;
  /** Flag values by commander attribute name, in the form the command line gives them. */
  flags: FileFlags;
  /** Attribute name → key in the file, for the values the file set. */
  keys: Map<string, string>;
}

/** The file keys a command accepts, read off its commander options so the two never drift. */
export function specsFromOptions(options: readonly Option[]): OptionSpec[] {
  const specs: OptionSpec[] = [];
  for (const o of options) {
    if (!o.long) continue;
    const twin = specs.find((s) => s.attribute === o.attributeName());
    if (twin) {
      twin.kind = 'value-or-false';
      continue;
    }
    specs.push({
      // A negated flag (--no-profile) is its positive key in a file: "profile": false.
      key: o.negate ? o.long.replace(/^--no-/, '') : o.long.replace(/^--/, ''),
      attribute: o.attributeName(),
      kind: o.required || o.optional ? 'value' : 'boolean',
      isPath: /<(dir|file|path)>/.test(o.flags),
    });
  }
  return specs;
}

function camelToKebab(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : JSON.stringify(v);
}

/** Reads and checks the file's shape and types; values themselves are validated by the caller. */
export function loadConfigFile(path: string, specs: readonly OptionSpec[]): LoadedConfigFile {
  const file = resolve(path);
  const fail = (what: string) => usageError(`--config ${path}: ${what}`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw fail(`cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const at = jsonSyntaxError(text);
    throw fail(at ? `not valid JSON: ${at.found} at line ${at.line}, column ${at.column} (keys and strings take double quotes)` : 'not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw fail(`must hold a JSON object of mount options, not ${kindOf(parsed)}`);
  }
  const byKey = new Map(specs.map((s) => [s.key, s]));
  const flags: FileFlags = {};
  const keys = new Map<string, string>();
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    const refused = NOT_IN_FILE.get(key);
    if (refused) throw fail(`"${key}" cannot be set in a config file: ${refused}`);
    const spec = byKey.get(key);
    if (!spec) {
      const kebab = camelToKebab(key);
      if (kebab !== key && byKey.has(kebab) && !NOT_IN_FILE.has(kebab)) {
        throw fail(`unknown key "${key}": keys are spelled as the flags are ("${kebab}")`);
      }
      const known = specs.filter((s) => !NOT_IN_FILE.has(s.key)).map((s) => s.key);
      throw fail(`unknown key "${key}" (known: ${known.join(', ')})`);
    }
    flags[spec.attribute] = toFlagValue(spec, value, fail, dirname(file));
    keys.set(spec.attribute, key);
  }
  return { file, shown: path, flags, keys };
}

function toFlagValue(spec: OptionSpec, value: unknown, fail: (what: string) => Error, baseDir: string): string | boolean {
  if (spec.kind === 'value-or-false' && value === false) return false;
  if (spec.kind === 'boolean') {
    if (typeof value !== 'boolean') throw fail(`"${spec.key}" must be true or false, not ${kindOf(value)}`);
    return value;
  }
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else throw fail(`"${spec.key}" must be a string or a number${spec.kind === 'value-or-false' ? ' (or false)' : ''}, not ${kindOf(value)}`);
  if (text.trim() === '') throw fail(`"${spec.key}" must not be empty`);
  return spec.isPath && !isAbsolute(text) ? resolve(baseDir, text) : text;
}

/** Where a flag's value came from, as commander reports it. */
export type SourceOf = (attribute: string) => string | undefined;

/** The file's values under the command line's: only an option given on the command line wins. */
export function mergeFlags<F extends object>(cliFlags: F, loaded: LoadedConfigFile, sourceOf: SourceOf): F {
  const fromFile: FileFlags = {};
  for (const [attribute, value] of Object.entries(loaded.flags)) {
    const source = sourceOf(attribute);
    if (source !== 'cli' && source !== 'env') fromFile[attribute] = value;
  }
  return { ...cliFlags, ...fromFile };
}

/**
 * Runs the caller's validation of the merged flags; a complaint about a flag (an OptionError,
 * which says which flag) whose value came from the file is reworded to name the file and its key.
 */
export function explainFileErrors<R>(loaded: LoadedConfigFile, sourceOf: SourceOf, validate: () => R): R {
  try {
    return validate();
  } catch (err) {
    if (!(err instanceof OptionError)) throw err;
    const flag = err.flag.replace(/^--/, '');
    const fromFile = [...loaded.keys].some(([attribute, key]) => key === flag && sourceOf(attribute) !== 'cli' && sourceOf(attribute) !== 'env');
    if (!fromFile) throw err;
    throw usageError(`--config ${loaded.shown}: "${flag}": ${err.problem}`);
  }
}

/**
 * The one call a command makes: without --config, the command line's flags as they are; with it,
 * the file's values under the command line's, validated by `build` either way.
 */
export function withConfigFile<F extends { config?: string }, R>(cmd: Command, cliFlags: F, build: (flags: F) => R): R {
  if (!cliFlags.config) return build(cliFlags);
  const loaded = loadConfigFile(cliFlags.config, specsFromOptions(cmd.options));
  // Every value in the file must be valid even where the command line overrides it: a file that
  // works only while overridden breaks the day the override is dropped.
  explainFileErrors(loaded, () => 'config', () => build({ ...cliFlags, ...loaded.flags }));
  const sourceOf: SourceOf = (attribute) => cmd.getOptionValueSource(attribute);
  return explainFileErrors(loaded, sourceOf, () => build(mergeFlags(cliFlags, loaded, sourceOf)));
}
