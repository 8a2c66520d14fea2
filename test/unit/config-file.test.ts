import * as fs from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerMount, toConfig } from '../../src/cli/commands/mount';
import { DEFAULTS, type MountConfig } from '../../src/config/mount-config';
import { explainFileErrors, loadConfigFile, specsFromOptions, withConfigFile } from '../../src/config/config-file';
import { checkTmpfsSize, memoryBoundBytes } from '../../src/config/memory-bound';
import { ErrorCodes, isLogshadowError, LogshadowError, optionError } from '../../src/errors';

/**
 * The real `mount` command's options and toConfig, parsed by commander, with the action replaced
 * by one that only builds the MountConfig: option sources (cli/default) are commander's own.
 */
function mountCommand(): Command {
  const program = new Command('logshadow').exitOverride();
  registerMount(program);
  const mount = program.commands.find((c) => c.name() === 'mount')!;
  return mount;
}

function configFrom(args: string[]): MountConfig {
  const program = new Command('logshadow').exitOverride();
  registerMount(program);
  const mount = program.commands.find((c) => c.name() === 'mount')!;
  let built: MountConfig | undefined;
  let failure: unknown;
  mount.action((dir: string, flags: { config?: string }, cmd: Command) => {
    try {
      built = withConfigFile(cmd, flags, (merged) => toConfig(dir, merged as Parameters<typeof toConfig>[1]));
    } catch (err) {
      failure = err;
    }
  });
  program.parse(['mount', ...args], { from: 'user' });
  if (failure) throw failure;
  return built!;
}

/** The one-line usage error (exit 2) that a bad file gives, or a test failure. */
function usageFailure(args: string[]): string {
  try {
    configFrom(args);
  } catch (err) {
    expect(isLogshadowError(err)).toBe(true);
    if (!isLogshadowError(err)) throw err;
    expect(err.exitCode).toBe(2);
    expect(err.message).not.toContain('\n');
    return err.message;
  }
  throw new Error(`mount ${args.join(' ')} was accepted`);
}

describe('mount --config <file.json>', () => {
  let scratch: string;
  let dir: string;
  const write = (name: string, body: unknown) => {
    const file = join(scratch, name);
    fs.writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body));
    return file;
  };

  beforeAll(() => {
    scratch = fs.mkdtempSync('/tmp/logshadow-unit-');
    dir = join(scratch, 'logs');
    fs.mkdirSync(dir);
  });
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  test('keys are the long flags without dashes, read off the command itself', () => {
    const specs = specsFromOptions(mountCommand().options);
    const keys = specs.map((s) => s.key);
    expect(keys).toEqual(expect.arrayContaining(['size', 'backing', 'engine', 'cache', 'refresh', 'horizon', 'ring-capacity', 'run-dir', 'log-level', 'log-file', 'debug-fuse']));
    for (const o of mountCommand().options) expect(keys).toContain(o.negate ? o.long!.slice(5) : o.long!.slice(2));
    expect(specs.find((s) => s.key === 'profile')!.kind).toBe('boolean');
    expect(specs.find((s) => s.key === 'debug-fuse')!.kind).toBe('boolean');
    expect(specs.find((s) => s.key === 'run-dir')!.isPath).toBe(true);
    expect(specs.find((s) => s.key === 'size')!.isPath).toBe(false);
  });

  test('the file sets options; numbers and booleans are taken as the flags would give them', () => {
    const file = write('all.json', {
      size: '48M', refresh: '2s', engine: 'fuse-native', horizon: 30000, 'ring-capacity': 1024, cache: 'writeback',
      'log-level': 'debug', 'debug-fuse': true,
    });
    const c = configFrom([dir, '--config', file]);
    expect(c).toMatchObject({
      mountpoint: dir, tmpfsSizeBytes: 48 * 1024 * 1024, refreshMs: 2000, engine: 'fuse-native', horizonMs: 30000,
      ringCapacity: 1024, cache: 'writeback', logLevel: 'debug', debugFuse: true,
    });
  });

  test('the command line overrides the file, option by option; defaults fill the rest', () => {
    const file = write('some.json', { size: '48M', refresh: '2s', engine: 'fuse-native' });
    const c = configFrom([dir, '--config', file, '--size', '32M', '--engine', 'auto']);
    expect(c.tmpfsSizeBytes).toBe(32 * 1024 * 1024);
    expect(c.engine).toBe('auto');
    expect(c.refreshMs).toBe(2000);
    expect(c.horizonMs).toBe(DEFAULTS.horizonMs);
    expect(c.runDir).toBe(DEFAULTS.runDir);
    // A flag given with its default value is still given: it wins over the file.
    const d = configFrom([dir, '--config', file, '--refresh', '250ms']);
    expect(d.refreshMs).toBe(250);
  });

  test('a negated flag is its positive key in the file', () => {
    expect(configFrom([dir, '--config', write('noprofile.json', { profile: false })]).profile).toBe(false);
    expect(configFrom([dir, '--config', write('profile.json', { profile: true })]).profile).toBe(true);
    expect(configFrom([dir, '--no-profile']).profile).toBe(false);
  });

  test('without --config nothing changes', () => {
    const c = configFrom([dir, '--size', '32M']);
    expect(c.tmpfsSizeBytes).toBe(32 * 1024 * 1024);
    expect(c.refreshMs).toBe(DEFAULTS.refreshMs);
  });

  test('relative paths in the file are relative to the file, not to the working directory', () => {
    fs.mkdirSync(join(scratch, 'etc'));
    const file = join(scratch, 'etc', 'paths.json');
    fs.writeFileSync(file, JSON.stringify({ 'run-dir': 'run', 'log-file': '../daemon.log' }));
    const c = configFrom([dir, '--config', file]);
    expect(c.runDir).toBe(join(scratch, 'etc', 'run'));
    expect(c.logFile).toBe(join(scratch, 'daemon.log'));
  });

  test('an unknown key is named, with the known ones', () => {
    const file = write('unknown.json', { size: '48M', sise: '1G' });
    const known = specsFromOptions(mountCommand().options).map((s) => s.key).filter((k) => k !== 'config' && k !== 'background');
    expect(known).toEqual(expect.arrayContaining(['size', 'engine', 'refresh', 'ring-capacity', 'run-dir', 'profile']));
    expect(usageFailure([dir, '--config', file])).toBe(`--config ${file}: unknown key "sise" (known: ${known.join(', ')})`);
  });

  test('a camelCase key is refused with the spelling to use', () => {
    const file = write('camel.json', { ringCapacity: 1024 });
    expect(usageFailure([dir, '--config', file])).toBe(`--config ${file}: unknown key "ringCapacity": keys are spelled as the flags are ("ring-capacity")`);
  });

  test('a bad value is named by its key in the file, in the words the flag would get', () => {
    const engine = write('engine.json', { engine: 'turbo' });
    expect(usageFailure([dir, '--config', engine])).toBe(`--config ${engine}: "engine": "turbo" is not one of auto, native, fuse-native`);
    const size = write('size.json', { size: 'lots' });
    expect(usageFailure([dir, '--config', size])).toMatch(new RegExp(`^--config ${size}: "size": "lots" is not a size`));
    const huge = write('huge.json', { size: '999T' });
    expect(usageFailure([dir, '--config', huge])).toMatch(new RegExp(`^--config ${huge}: "size": 999T is more than this machine's memory and swap`));
    const ring = write('ring.json', { 'ring-capacity': 1000 });
    expect(usageFailure([dir, '--config', ring])).toBe(`--config ${ring}: "ring-capacity": 1000 is not a power of two`);
  });

  test('a bad value in the file is refused even when the command line overrides it', () => {
    const file = write('overridden.json', { size: 'lots' });
    expect(usageFailure([dir, '--config', file, '--size', '32M'])).toMatch(/"size": "lots" is not a size/);
  });

  test('a bad value on the command line is still named as the flag', () => {
    const file = write('fine.json', { size: '48M' });
    expect(usageFailure([dir, '--config', file, '--engine', 'turbo'])).toBe('--engine: "turbo" is not one of auto, native, fuse-native');
  });

  test('wrong types, empty strings, options that cannot live in a file', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ 'debug-fuse': 'yes' }, /"debug-fuse" must be true or false, not "yes"$/],
      [{ size: true }, /"size" must be a string or a number, not true$/],
      [{ refresh: { ms: 5 } }, /"refresh" must be a string or a number, not an object$/],
      [{ backing: '' }, /"backing" must not be empty$/],
      [{ engine: null }, /"engine" must be a string or a number, not null$/],
      [{ background: true }, /"background" cannot be set in a config file: pass --background on the command line$/],
      [{ config: 'other.json' }, /"config" cannot be set in a config file/],
      [{ toString: 'x' }, /unknown key "toString" \(known: /],
      [[1, 2], /must hold a JSON object of mount options, not an array$/],
      ['{"size": ', /not valid JSON: /],
    ];
    cases.forEach(([body, pattern], i) => {
      const file = write(`bad-${i}.json`, body);
      expect(usageFailure([dir, '--config', file])).toMatch(pattern);
    });
    expect(usageFailure([dir, '--config', join(scratch, 'missing.json')])).toMatch(/missing\.json: cannot read it \(ENOENT\)$/);
  });

  test('a file that is not JSON: where it goes wrong, whole, on one line', () => {
    const file = write('quotes.json', "{\n  \"size\": \"48M\",\n  engine: 'native'\n}\n");
    expect(usageFailure([dir, '--config', file])).toBe(
      `--config ${file}: not valid JSON: the character "e" at line 3, column 3 (keys and strings take double quotes)`,
    );
  });

  test('errors are told apart by their code and flag, never by their wording', () => {
    const file = write('size.json', { size: '48M' });
    const loaded = loadConfigFile(file, specsFromOptions(mountCommand().options));
    const fromFile = () => 'config';
    // Worded like a complaint about --size, but not one: it passes through as it is.
    const other = new LogshadowError(ErrorCodes.ALREADY_MOUNTED, '--size: the directory is already mounted');
    expect(() => explainFileErrors(loaded, fromFile, () => { throw other; })).toThrow(other);
    // A complaint about --size, whatever its words: it names the key in the file.
    expect(() => explainFileErrors(loaded, fromFile, () => { throw optionError('--size', 'odd: words -- here'); }))
      .toThrow(`--config ${file}: "size": odd: words -- here`);
  });
});

describe('how large a tmpfs can grow', () => {
  test('RAM plus swap, from /proc/meminfo', () => {
    const meminfo = 'MemTotal:       24683756 kB\nMemFree:         1000 kB\nSwapTotal:       1048576 kB\nSwapFree: 0 kB\n';
    expect(memoryBoundBytes(meminfo)).toBe((24683756 + 1048576) * 1024);
    expect(memoryBoundBytes('MemTotal: 2048 kB\n')).toBe(2048 * 1024);
  });

  test('--size past it is refused, in a config file too, by its key', () => {
    expect(() => checkTmpfsSize(2 ** 40, '1T', 2 ** 34)).toThrow(/^--size: 1T is more than this machine's memory and swap \(16\.0G\)/);
    expect(checkTmpfsSize(2 ** 30, '1G', 2 ** 34)).toBe(2 ** 30);
  });
});
