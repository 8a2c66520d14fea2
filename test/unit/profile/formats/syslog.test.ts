import { detectSyslogPri } from '../../../../src/profile/formats/syslog';
import { detectSyslogFile } from '../../../../src/profile/formats/syslog-file';
import { classify, detectName } from '../support';

const BOM = '\u{feff}';

describe('syslog <PRI> (RFC 3164 and RFC 5424)', () => {
  // The examples of RFC 5424 section 6.5 and RFC 3164 section 5.4.
  it.each([
    [`<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - ${BOM}'su root' failed for lonvick on /dev/pts/8`, 'fatal'],
    ['<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It\'s time to make the do-nuts.', 'notice'],
    [`<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] ${BOM}An application event log entry...`, 'notice'],
    ['<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]', 'notice'],
    ["<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8", 'fatal'],
    ['<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!', 'notice'],
    ['<0>1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That\'s All Folks!', 'fatal'],
  ])('%s -> %s', (line, severity) => {
    expect(detectName(detectSyslogPri, line)).toBe(severity);
    expect(classify(line)).toEqual({ severity, dataType: 'syslog', format: 'syslog' });
  });

  it('maps every PRI severity (PRI & 7): 0-2 fatal, 3 error, 4 warn, 5 notice, 6 info, 7 debug', () => {
    const expected = ['fatal', 'fatal', 'fatal', 'error', 'warn', 'notice', 'info', 'debug'];
    for (let facility = 0; facility < 24; facility++) {
      for (let s = 0; s < 8; s++) {
        expect(detectName(detectSyslogPri, `<${facility * 8 + s}>Jan  1 00:00:00 host app: x`)).toBe(expected[s]);
      }
    }
  });

  it('takes the header over a level word in the message', () => {
    // logger(1) sends user.notice by default, whatever the text says.
    expect(classify('<13>Jan 15 10:00:00 host root: ERROR disk failed').severity).toBe('notice');
  });

  it.each(['<192>Jan  1 00:00:00 x', '<01>x', '<1234>x', '<>x', '<abc>x', '<html>', '<5'])('rejects %s', (line) => {
    expect(detectName(detectSyslogPri, line)).toBe('not mine');
  });
});

describe('syslog files without PRI (rsyslog, syslog-ng, journalctl)', () => {
  it.each([
    ['Jan 15 10:00:00 web01 sshd[4121]: Accepted publickey for deploy from 192.0.2.7 port 50522 ssh2: ED25519 SHA256:abc', 'unknown'],
    ['Jan 15 10:00:01 web01 sshd[4122]: error: kex_exchange_identification: Connection closed by remote host', 'error'],
    ['Jan 15 10:00:02 web01 sshd[4123]: fatal: Timeout before authentication for 192.0.2.9 port 40012', 'fatal'],
    ['Jan  5 09:12:44 laptop NetworkManager[812]: <info>  [1704445964.1234] dhcp4 (wlp2s0): state changed new lease', 'info'],
    ['Jan  5 09:12:45 laptop NetworkManager[812]: <warn>  [1704445965.0012] device (wlp2s0): link timed out', 'warn'],
    ['Jan  5 09:12:46 laptop kernel: [    0.000000] Linux version 6.1.0-17-amd64', 'unknown'],
    ['Jan  5 09:12:47 laptop systemd[1]: Started Daily apt download activities.', 'unknown'],
    ['2024-01-15T10:00:00.123456+00:00 web01 myapp[77]: [WARN] cache miss storm', 'warn'],
    ['2024-01-15T10:00:00+0100 web01 CRON[991]: (root) CMD (run-parts /etc/cron.hourly)', 'unknown'],
  ])('%s -> %s', (line, severity) => {
    expect(detectName(detectSyslogFile, line)).toBe(severity);
    expect(classify(line)).toEqual({ severity, dataType: 'syslog', format: 'syslog-file' });
  });

  it('reads the level only at the head of the message', () => {
    expect(classify('Jan 15 10:00:00 web01 app[1]: retrying after error: timeout').severity).toBe('unknown');
    expect(classify('Jan 15 10:00:00 web01 app[1]: Error handling improved').severity).toBe('unknown');
  });

  it.each([
    'Jan 15 10:00:00 just some words here',
    '2024-01-15 10:00:00 host app: x', // no T: a log4j-style stamp, not a syslog file
    'January 15 10:00:00 host app: x',
  ])('rejects %s', (line) => {
    expect(detectName(detectSyslogFile, line)).toBe('not mine');
  });
});
