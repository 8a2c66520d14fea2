import { classify } from '../support';

/**
 * The rule for where a level may stand (README "Severity levels and entries"), line by line:
 * levels found where formats put them, and none taken from a message.
 */
describe('where a level may stand', () => {
  it.each([
    // after a stamp and header fields
    ['2016-02-01 10:00:00.123 1234 INFO nova.compute.manager [req-1] spawned', 'info', 'stamped'],
    ['2015-07-29 17:41:44,747 - WARN  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:Learner@233] - Got zxid', 'warn', 'stamped'],
    ['2024-01-15 10:00:00 0 [Warning] Access denied for user', 'warn', 'stamped'],
    ['2024-01-15 10:00:00.123 +00:00 [ERR] payment declined', 'error', 'stamped'],
    ['2016-09-28 04:30:30, Error                 CBS    Failed to load', 'error', 'stamped'],
    ['2024-01-15T10:00:00.123Z\tinfo\thttp.log\thandled', 'info', 'stamped'],
    // after one or two leading fields, or a host name in capitals
    ['nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 ERROR nova.api x', 'error', 'stamped'],
    ['2024-01-15 10:00:00 web-1 WARN disk at 91%', 'warn', 'stamped'],
    // structured fields and fixed columns
    ['{"t":{"$date":"2024-01-15T10:00:00.000+00:00"},"s":"E","c":"NETWORK","msg":"x"}', 'error', 'json'],
    ['{"__CURSOR":"s=1","PRIORITY":"4","MESSAGE":"x"}', 'warn', 'json'],
    ['{"log":"2024/01/15 10:00:00 ERROR boom\\n","stream":"stderr","time":"2024-01-15T10:00:00Z"}', 'error', 'json'],
    ['{"log":"{\\"level\\":50,\\"msg\\":\\"boom\\"}\\n","stream":"stdout","time":"2024-01-15T10:00:00Z"}', 'error', 'json'],
    ['{"log":"{\\"log\\":\\"INFO x\\"}\\n","stream":"stdout","time":"2024-01-15T10:00:00Z"}', 'unknown', 'json'],
    ['1234:M 15 Jan 2024 10:00:00.123 # WARNING overcommit', 'warn', 'redis'],
    ['- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL FAILURE x', 'error', 'ras'],
    // derived from an HTTP status
    ['10.0.0.1 - - [15/Jan/2024:10:00:00 +0000] "GET /x HTTP/1.1" 502 0 "-" "curl"', 'error', 'http-access'],
    ['10.0.0.1 - - [15/Jan/2024:10:00:00 +0000] "GET /x HTTP/1.1" 404 0 "-" "curl"', 'warn', 'http-access'],
    ['{"remote_addr":"10.0.0.1","status":"301","request":"GET /"}', 'info', 'json'],
    ['{"level":30.5,"msg":"a custom level between info and warn"}', 'info', 'json'],
  ])('%s -> %s (%s)', (line, severity, format) => {
    expect(classify(line)).toMatchObject({ severity, format });
  });

  it.each([
    '2024-01-15 10:00:00 Error handling was improved in release 2',
    '2024-01-15 10:00:00 Unexpected ERROR in module 3',
    '2024-01-15 10:00:00,123 [main] com.example.Report - ERROR count reached 5',
    '2024-01-15 10:00:00 Log rotated',
    'Dec 10 06:55:46 web-1 kernel: [ 12.345] EXT4-fs error (device sda1): ext4_find_entry',
    'Dec 10 06:55:46 web-1 dhclient[90]: DHCPREQUEST on eth0; Warning: lease almost expired',
    'Information about the build is in build.txt',
    'Connection reset by peer; ERROR 104 from upstream',
    '{"status":"ok","message":"ERROR is only a word here"}',
    '{"req":{"level":"error"},"msg":"nested keys do not count"}',
    '20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579',
    '[10.30 16:49:06] chrome.exe - proxy.example.org:5070 open through proxy HTTPS',
  ])('%s stays unknown', (line) => {
    expect(classify(line).severity).toBe('unknown');
  });

  it('reads PostgreSQL\'s secondary lines as part of the message before them', () => {
    expect(classify('2024-01-15 10:00:00.125 UTC [1] DETAIL:  Key (id)=(1) already exists.')).toMatchObject({ severity: 'unknown', format: 'stamped' });
    expect(classify('2024-01-15 10:00:00.125 UTC [1] LOG:  checkpoint starting')).toMatchObject({ severity: 'info', format: 'stamped' });
  });
});
