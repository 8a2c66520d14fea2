import { detectBareWord } from '../../../../src/profile/formats/bare-word';
import { classify, detectName } from '../support';

describe('a bare level word at the start of the line', () => {
  it.each([
    // capitals, then a blank or the end
    ['ERROR something went wrong', 'error'],
    ['WARN  low disk space on /var', 'warn'],
    ['INFO [01-15|10:00:00.000] Starting Geth on Ethereum mainnet...', 'info'],
    ['DEBUG', 'debug'],
    ['FATAL\tout of memory', 'fatal'],
    ['NOTICE: nothing to see', 'notice'],
    // any case, then a colon
    ["error: pathspec 'nothing' did not match any file(s) known to git", 'error'],
    ['warning: unused variable ‘x’ [-Wunused-variable]', 'warn'],
    ['fatal: not a git repository (or any of the parent directories): .git', 'fatal'],
    ['panic: runtime error: index out of range [5] with length 3', 'fatal'],
    ['Error: ENOENT: no such file or directory, open \'/etc/app.conf\'', 'error'],
    ['ERROR:  relation "users" does not exist', 'error'],
    ['Traceback (most recent call last):', 'not mine'],
  ])('%s -> %s', (line, severity) => {
    expect(detectName(detectBareWord, line)).toBe(severity);
    if (severity !== 'not mine') expect(classify(line)).toEqual({ severity, dataType: 'text', format: 'bare-word' });
  });

  it.each([
    'Error handling was improved in this release', // prose: capitalised, no colon
    'info about the release follows', // lower case without a colon
    'ERRORS: 3', // not a level word
    'INFOrmation', // a level word glued to letters
    'ERROR_CODE=5', // glued to an underscore
    '  ERROR indented: continuation lines are not level fields',
    'the ERROR is deep inside the message',
  ])('does not take %j as a level', (line) => {
    expect(detectName(detectBareWord, line)).toBe('not mine');
    expect(classify(line).severity).toBe('unknown');
  });
});
