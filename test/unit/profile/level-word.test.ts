import { isLevelKey, levelWord } from '../../../src/profile/formats/level-word';
import { numericLevel } from '../../../src/profile/levels';
import { NOT_MINE } from '../../../src/profile/formats';
import { SEVERITY_NAMES } from '../../../src/profile/severity';

const name = (code: number): string => (code === NOT_MINE ? 'not mine' : SEVERITY_NAMES[code]!);
const word = (s: string): string => {
  const b = Buffer.from(s);
  return name(levelWord(b, 0, b.length));
};

describe('level words', () => {
  it.each([
    ['fatal', ['FATAL', 'fatal', 'Fatal', 'FTL', 'PANIC', 'dpanic', 'EMERG', 'emergency', 'ALERT', 'CRIT', 'Critical']],
    ['error', ['ERROR', 'error', 'Err', 'ERR', 'eror', 'SEVERE']],
    ['warn', ['WARN', 'warning', 'Warning', 'WRN']],
    ['notice', ['NOTICE', 'notice']],
    ['info', ['INFO', 'info', 'INF', 'Information', 'informational']],
    ['debug', ['DEBUG', 'debug', 'DBG', 'dbug']],
    ['trace', ['TRACE', 'trace', 'TRC', 'VERBOSE', 'Verbose', 'VRB']],
  ])('%s: %j', (severity, words) => {
    for (const w of words) expect(word(w)).toBe(severity);
  });

  it.each(['', 'E', 'ER', 'ERRORS', 'INFOS', 'warnings', 'LOG', 'FINE', 'SUCCESS', 'inform', 'err0r', 'ERR[', 'WAR@'])('%j is not a level word', (w) => {
    expect(word(w)).toBe('not mine');
  });

  it('does not case-fold non-letters into letters', () => {
    // '@' | 0x20 is '`' and '[' | 0x20 is '{': neither may match a letter.
    expect(word('@RROR')).toBe('not mine');
    expect(word('INF[')).toBe('not mine');
  });
});

describe('level keys', () => {
  it.each(['level', 'LEVEL', 'Level', 'lvl', 'severity', 'Severity', 'loglevel', 'log_level', 'log.level', 'levelname', '@l'])('%s is a level key', (k) => {
    expect(isLevelKey(Buffer.from(k), 0, k.length)).toBe(true);
  });
  it.each(['levels', 'lv', 'log-level', 'log_levelx', 'msg', 'l', '@L2', 'logNlevel'])('%s is not', (k) => {
    expect(isLevelKey(Buffer.from(k), 0, k.length)).toBe(false);
  });
});

describe('numeric levels', () => {
  it('maps pino/bunyan levels and syslog severities', () => {
    const cases: Array<[number, string]> = [
      [10, 'trace'], [20, 'debug'], [30, 'info'], [40, 'warn'], [50, 'error'], [60, 'fatal'], [100, 'fatal'], [45, 'warn'],
      [0, 'fatal'], [1, 'fatal'], [2, 'fatal'], [3, 'error'], [4, 'warn'], [5, 'notice'], [6, 'info'], [7, 'debug'],
      [8, 'unknown'], [9, 'unknown'],
    ];
    for (const [n, severity] of cases) expect([n, SEVERITY_NAMES[numericLevel(n)]]).toEqual([n, severity]);
  });
});
