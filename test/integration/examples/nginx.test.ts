import * as fs from 'node:fs';
import * as http from 'node:http';
import { join } from 'node:path';
import { startMount, stopAllMounts, type MountHandle } from '../../helpers/mount';
import { Children, EXAMPLES, fileStats, freePort, statsOf, stop, waitFor } from './example-helpers';

/**
 * mount-examples/nginx/nginx.conf, unchanged but for the log directory (the mount) and the port:
 * Debian's nginx serves 200 requests and logs each into the mount.
 */
function get(port: number, agent: http.Agent, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
}

describe('mount-examples/nginx', () => {
  const children = new Children();
  let m: MountHandle;

  beforeAll(async () => {
    m = await startMount({ engine: 'auto' });
  });
  afterAll(async () => {
    try {
      await children.stopAll();
    } finally {
      await stopAllMounts();
    }
  });

  test('200 requests: exactly 200 access-log lines in the mount, and logshadow counted the writes', async () => {
    const port = await freePort();
    const original = fs.readFileSync(join(EXAMPLES, 'nginx/nginx.conf'), 'utf8');
    expect(original).toContain('access_log /var/log/nginx/access.log');
    expect(original).toContain('listen 127.0.0.1:8080;');
    const conf = join(m.scratch, 'nginx.conf');
    fs.writeFileSync(conf, original.split('/var/log/nginx').join(m.dir).replace('listen 127.0.0.1:8080;', `listen 127.0.0.1:${port};`));
    const pidFile = join(m.scratch, 'nginx.pid');

    const nginx = children.start('nginx', ['-c', conf, '-g', `daemon off; pid ${pidFile};`]);
    await waitFor('nginx to write its pid file', () => fs.existsSync(pidFile) || nginx.proc.exitCode !== null);
    expect(nginx.proc.exitCode).toBeNull();

    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    try {
      for (let i = 0; i < 200; i++) expect(await get(port, agent, `/item/${i}`)).toBe(200);
    } finally {
      agent.destroy();
    }

    const access = join(m.dir, 'access.log');
    await waitFor('200 lines in access.log', () => fs.existsSync(access) && fs.readFileSync(access, 'utf8').split('\n').length === 201);
    const lines = fs.readFileSync(access, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(200);
    lines.forEach((line, i) => expect(line).toMatch(new RegExp(`^127\\.0\\.0\\.1 - - \\[[^\\]]+\\] "GET /item/${i} HTTP/1\\.1" 200 3 "-" "-"$`)));
    expect(fs.readFileSync(join(m.dir, 'error.log'), 'utf8')).toMatch(/\[notice\] \d+#\d+: start worker processes/);

    // One write(2) per request: access_log is unbuffered.
    await waitFor('the profiler to count 200 lines of access.log', () => (fileStats(statsOf(m.dir, m.runDir), '/access.log')?.lines ?? 0) >= 200);
    const s = fileStats(statsOf(m.dir, m.runDir), '/access.log')!;
    expect(s.lines).toBe(200);
    expect(s.writes).toBe(200);
    expect(s.bytes).toBe(fs.statSync(access).size);

    await stop(nginx.proc);
    expect(nginx.proc.signalCode ?? nginx.proc.exitCode).not.toBeNull();
  });
});
