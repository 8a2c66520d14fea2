/**
 * The shared Loghub traces (real logs, kept beside the checkout and never copied into it), fed
 * through the content profile in random-sized chunks: the level counts must be exact and the same
 * for every chunking.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ContentProfile } from '../../../src/profile/content-profile';
import { SEVERITY_NAMES } from '../../../src/profile/severity';
import { seededRandom } from './support';
import { TRACES_DIR } from '../../helpers/traces';

const TRACES = TRACES_DIR ?? path.resolve(__dirname, '../../../..', 'shared/traces/loghub');
const present = existsSync(path.join(TRACES, 'Android_2k.log')) && existsSync(path.join(TRACES, 'Apache_2k.log'));
if (!present) {
  // A skipped suite must say why.
  console.warn(`loghub traces not found at ${TRACES}: skipping the trace tests`);
}
const describeTraces = present ? describe : describe.skip;

function levels(profile: ContentProfile): Record<string, number> {
  const out: Record<string, number> = {};
  profile.bySeverity.forEach((n, s) => {
    if (n > 0) out[SEVERITY_NAMES[s]!] = n;
  });
  return out;
}

/** Cut points: random sizes, plus, in one chunking, a cut between every CR and its LF. */
function chunkings(data: Buffer): Array<{ name: string; cuts: number[] }> {
  const out: Array<{ name: string; cuts: number[] }> = [{ name: 'whole', cuts: [] }];
  for (const [seed, max] of [[1, 1], [2, 3], [3, 64], [4, 200], [5, 1500], [6, 9000], [7, 70000]] as const) {
    const random = seededRandom(seed);
    const cuts: number[] = [];
    for (let at = 1 + Math.floor(random() * max); at < data.length; at += 1 + Math.floor(random() * max)) cuts.push(at);
    out.push({ name: `random 1..${max} (seed ${seed})`, cuts });
  }
  const crlf: number[] = [];
  for (let i = 0; i < data.length; i++) if (data[i] === 0x0d) crlf.push(i + 1);
  out.push({ name: 'between every CR and LF', cuts: crlf });
  return out;
}

function profileOf(data: Buffer, cuts: number[]): ContentProfile {
  const profile = new ContentProfile();
  let at = 0;
  for (const cut of [...cuts, data.length]) {
    profile.push(data, at, cut);
    at = cut;
  }
  profile.flush();
  return profile;
}

describeTraces('loghub traces', () => {
  it.each([
    ['Android_2k.log', { info: 920, debug: 650, trace: 257, warn: 170, error: 3 }, 'logcat'],
    ['Apache_2k.log', { notice: 1405, error: 595 }, 'apache-error'],
  ])('%s: exact level counts for every chunking', (file, expected, format) => {
    const data = readFileSync(path.join(TRACES, file));
    for (const { name, cuts } of chunkings(data)) {
      const profile = profileOf(data, cuts);
      const snapshot = profile.snapshot();
      expect({ name, levels: levels(profile) }).toEqual({ name, levels: expected });
      expect({ name, lines: profile.lines, bytes: profile.lineBytes }).toEqual({ name, lines: 2000, bytes: data.length });
      expect({ name, format: snapshot.byFormat[format] }).toEqual({ name, format: 2000 });
      // The files use CR LF and have no final newline.
      expect({ name, crlf: profile.crlfLines, unterminated: profile.unterminatedLines }).toEqual({ name, crlf: 1999, unterminated: 1 });
    }
  });

  it('OpenSSH and HealthApp: no level field, so levels come only from sshd\'s own message prefixes', () => {
    const ssh = profileOf(readFileSync(path.join(TRACES, 'OpenSSH_2k.log')), []);
    expect(ssh.snapshot().byDataType.syslog).toBe(2000);
    // sshd prefixes its error- and fatal-level messages with "error: " and "fatal: ".
    expect(levels(ssh)).toEqual({ unknown: 1952, error: 47, fatal: 1 });
    const health = profileOf(readFileSync(path.join(TRACES, 'HealthApp_2k.log')), []);
    expect(levels(health)).toEqual({ unknown: 2000 });
  });
});
