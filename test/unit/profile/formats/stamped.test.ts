import { detectStamped } from '../../../../src/profile/formats/stamped';
import { classify, detectName } from '../support';

describe('log4j-style pattern layouts', () => {
  it.each([
    // log4j %d %p [%t] %c: %m (as Hadoop writes it)
    ['2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Created MRAppMaster for application appattempt_1445144423722_0020_000001', 'info'],
    ['2015-10-18 18:01:48,101 WARN [main] org.apache.hadoop.util.NativeCodeLoader: Unable to load native-hadoop library', 'warn'],
    ['2015-10-18 18:01:49,000 ERROR [RMCommunicator Allocator] org.apache.hadoop.mapreduce.v2.app.rm.RMContainerAllocator: ERROR IN CONTACTING RM.', 'error'],
    // %d %-5p [%t] %c - %m
    ['2024-01-15 10:00:00,123 DEBUG [http-nio-8080-exec-1] com.example.web.Filter - request /api', 'debug'],
    ['2024-01-15 10:00:00,124 WARN  [pool-1-thread-3] com.example.Cache - eviction storm', 'warn'],
    ['2024-01-15 10:00:00,125 TRACE [main] com.example.Parser - token', 'trace'],
    ['2024-01-15 10:00:00,126 FATAL [main] com.example.Boot - cannot start', 'fatal'],
    // logback's default %d{HH:mm:ss.SSS} [%thread] %-5level %logger{36} - %msg
    ['10:00:00.123 [main] INFO  com.example.App - Started App in 2.345 seconds', 'info'],
    ['10:00:00.456 [pool-2-thread-1] ERROR c.e.service.PaymentService - charge failed', 'error'],
    // Spring Boot 2 and 3
    ['2024-01-15 10:00:00.123  INFO 12345 --- [           main] com.example.DemoApplication              : Started DemoApplication', 'info'],
    ['2024-01-15T10:00:00.123+01:00  WARN 12345 --- [demo] [           main] o.s.b.a.o.j.JpaBaseConfiguration : spring.jpa.open-in-view is enabled', 'warn'],
    // log4j TTCC: elapsed ms, then thread
    ['176 [main] INFO  org.apache.log4j.examples.Sort - Populating an array of 2 elements in reverse order.', 'info'],
    // loguru
    ['2024-01-15 10:00:00.123 | ERROR    | __main__:main:12 - division by zero', 'error'],
    ['2024-01-15 10:00:00.124 | SUCCESS  | __main__:main:13 - a level we do not map', 'not mine'],
    // PostgreSQL, log_line_prefix '%m [%p] '
    ['2024-01-15 10:00:00.123 UTC [4242] ERROR:  relation "users" does not exist at character 15', 'error'],
    ['2024-01-15 10:00:00.124 UTC [4242] FATAL:  password authentication failed for user "app"', 'fatal'],
    ['2024-01-15 10:00:00.125 UTC [1] LOG:  database system is ready to accept connections', 'info'],
    // HDFS: date, time and pid columns
    ['081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating', 'info'],
  ])('%s -> %s', (line, severity) => {
    expect(detectName(detectStamped, line)).toBe(severity);
    if (severity !== 'not mine') expect(classify(line)).toEqual({ severity, dataType: 'text', format: 'stamped' });
  });

  it('takes the level from its place only', () => {
    expect(detectName(detectStamped, '2024-01-15 10:00:00,123 [main] com.example.X - ERROR happened')).toBe('not mine');
    expect(detectName(detectStamped, '2024-01-15 10:00:00,123 error connecting to db')).toBe('not mine');
    expect(detectName(detectStamped, '2024-01-15 10:00:00,123 error: connecting to db')).toBe('error');
  });

  it('leaves a bracketed level to the bracketed detector', () => {
    expect(detectName(detectStamped, '2024-01-15 10:00:00 [ERROR] INFO is only a word here')).toBe('not mine');
    expect(classify('2024-01-15 10:00:00 [ERROR] INFO is only a word here').format).toBe('bracketed');
  });
});
