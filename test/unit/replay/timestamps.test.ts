import { readFileSync } from 'node:fs';
import path from 'node:path';
import { detectFormat, STAMP_FORMATS } from '../../../src/replay/timestamps';

const CORPUS = path.resolve(__dirname, '../../fixtures/levels/corpus');
const fmt = (name: string) => STAMP_FORMATS.find((f) => f.name === name)!;

describe('replay reads the stamps of the formats the profiler knows', () => {
  it.each([
    ['iso8601', '2016-02-01 10:00:00.123 1234 INFO nova.compute', Date.UTC(2016, 1, 1, 10, 0, 0, 123)],
    ['iso8601', 'nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 INFO x', Date.UTC(2017, 4, 16, 0, 0, 0, 8)],
    ['iso8601', '2024/01/15 10:00:00 [error] 12#12: x', Date.UTC(2024, 0, 15, 10, 0, 0)],
    ['iso8601', 'I, [2024-01-15T10:00:00.123456 #4242]  INFO -- app: x', Date.UTC(2024, 0, 15, 10, 0, 0, 123)],
    ['dotted', '- 1117838570 2005.06.03 R02-M1-N0 2005-06-03-15.42.50.675872 R02-M1-N0 RAS KERNEL INFO x', Date.UTC(2005, 5, 3, 15, 42, 50, 675)],
    ['short-year', '17/06/09 20:10:40 INFO executor.Executor: x', Date.UTC(2017, 5, 9, 20, 10, 40)],
    ['compact', '081109 203615 148 INFO dfs.DataNode: x', Date.UTC(2008, 10, 9, 20, 36, 15)],
    ['day-month-year', '1234:M 15 Jan 2024 10:00:00.123 * Ready', Date.UTC(2024, 0, 15, 10, 0, 0, 123)],
    ['day-month-year', '15-Jan-2024 10:00:00.123 INFO [main] x', Date.UTC(2024, 0, 15, 10, 0, 0, 123)],
    ['day-month-year', '127.0.0.1 - - [15/Jan/2024:10:00:00 +0100] "GET / HTTP/1.1" 200 3', Date.UTC(2024, 0, 15, 9, 0, 0)],
    ['syslog', '- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond[2915]: x', Date.UTC(2017, 10, 9, 12, 1, 1)],
    ['epoch', '- 1117838570 2005.06.03 R02 x', 1117838570 * 1000],
    ['epoch', '{"level":30,"time":1705312800123,"msg":"x"}', 1705312800123],
    ['epoch', '{"level":"info","ts":1705312800.5,"msg":"x"}', 1705312800500],
    ['glog', 'I0115 10:00:00.123456    1 main.go:42] x', Date.UTC(2017, 0, 15, 10, 0, 0, 123)],
    ['clock', '10:00:00.123 [main] INFO  c.e.App - x', Date.UTC(2017, 0, 1, 10, 0, 0, 123)],
  ])('%s: %s', (name, line, ms) => {
    expect(fmt(name).parse(line)).toBe(ms);
  });

  it('finds no stamp inside a message or a number that is not one', () => {
    expect(Number.isNaN(fmt('epoch').parse('order 123456789012 shipped'))).toBe(true);
    expect(Number.isNaN(fmt('iso8601').parse(`${'x'.repeat(130)} 2024-01-15 10:00:00`))).toBe(true);
  });

  it.each([
    ['log4j2', 'clock'], ['hadoop', 'iso8601'], ['spark', 'short-year'], ['hdfs', 'compact'], ['bgl-ras', 'dotted'],
    ['zookeeper', 'iso8601'], ['oslo-log-collected', 'iso8601'], ['redis', 'day-month-year'], ['nginx-access', 'day-month-year'],
    ['nginx-error', 'iso8601'], ['postgresql', 'iso8601'], ['mariadb', 'iso8601'], ['tomcat', 'day-month-year'], ['klog', 'glog'],
    ['rsyslog-traditional', 'syslog'], ['rsyslog-rfc5424', 'iso8601'], ['pino', 'epoch'], ['zap-json', 'epoch'], ['ruby-logger', 'iso8601'],
    ['windows-cbs', 'iso8601'], ['serilog-console', 'clock'], ['apache-error', 'apache'],
  ])('the corpus file %s is read as %s', (file, name) => {
    const lines = readFileSync(path.join(CORPUS, `${file}.log`), 'utf8').split('\n').filter(Boolean);
    expect(detectFormat(lines)?.name).toBe(name);
  });
});
