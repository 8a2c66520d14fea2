import { detectApacheError } from '../../../../src/profile/formats/apache-error';
import { classify, detectName } from '../support';

describe('Apache httpd error log', () => {
  it.each([
    // 2.2, as in the httpd documentation
    ['[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] client denied by server configuration: /export/home/live/ap/htdocs/test', 'error'],
    ['[Mon Jan 15 10:00:00 2024] [notice] Apache/2.2.34 (Unix) configured -- resuming normal operations', 'notice'],
    ['[Mon Jan 15 10:00:01 2024] [warn] RSA server certificate CommonName (CN) `localhost\' does NOT match server name!?', 'warn'],
    ['[Mon Jan 15 10:00:02 2024] [crit] (28)No space left on device: mod_rewrite: could not create rewrite_log_lock', 'fatal'],
    ['[Mon Jan 15 10:00:03 2024] [debug] proxy_util.c(1820): proxy: grabbed scoreboard slot 0', 'debug'],
    ['[Mon Jan  1 00:00:03 2024] [emerg] (13)Permission denied: couldn\'t grab the accept mutex', 'fatal'],
    // 2.4, with microseconds and module:level
    ['[Fri Sep 09 10:42:29.902022 2011] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187] File does not exist: /usr/local/apache2/htdocs/favicon.ico', 'error'],
    ['[Mon Jan 15 10:00:00.123456 2024] [mpm_event:notice] [pid 1:tid 140212] AH00489: Apache/2.4.58 (Unix) configured -- resuming normal operations', 'notice'],
    ['[Mon Jan 15 10:00:00.123456 2024] [ssl:info] [pid 9:tid 3] AH01914: Configuring server for SSL protocol', 'info'],
    ['[Mon Jan 15 10:00:00.123456 2024] [authz_core:trace3] [pid 9:tid 3] mod_authz_core.c(820): authorization result: granted', 'trace'],
    ['[Mon Jan 15 10:00:00.123456 2024] [core:alert] [pid 9] AH00052: child pid 9 exit signal Segmentation fault (11)', 'fatal'],
  ])('%s -> %s', (line, severity) => {
    expect(detectName(detectApacheError, line)).toBe(severity);
    expect(classify(line)).toEqual({ severity, dataType: 'text', format: 'apache-error' });
  });

  it.each([
    '[Mon Jan 15 10:00:00 2024] [client 127.0.0.1] no level field',
    '[Mon Jan 15 10:00:00 2024] error without brackets',
    '[2024-01-15 10:00:00] [error] an ISO stamp is the bracketed format, not Apache',
    '[Mon Jan 15 10:00:00 2024] [errors]',
  ])('rejects %s', (line) => {
    expect(detectName(detectApacheError, line)).toBe('not mine');
  });
});
