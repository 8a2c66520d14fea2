import * as fs from 'node:fs';
import { connect } from 'node:net';
import { sh } from '../helpers/cli';
import { startMount, stopAllMounts, type MountHandle } from '../helpers/mount';
import { socketPath } from '../../src/control/paths';
import { MAX_REQUEST_BYTES } from '../../src/control/protocol';

/** Sends raw bytes and collects every reply line until the daemon closes or `lines` arrived. */
function exchange(socket: string, payload: string, lines: number): Promise<{ replies: Array<Record<string, unknown>>; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const c = connect(socket);
    let buf = '';
    const replies: Array<Record<string, unknown>> = [];
    const timer = setTimeout(() => {
      c.destroy();
      resolve({ replies, closed: false });
    }, 5000);
    c.setEncoding('utf8');
    c.on('error', reject);
    c.on('connect', () => c.write(payload));
    c.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        replies.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
        buf = buf.slice(nl + 1);
      }
      if (replies.length >= lines) {
        clearTimeout(timer);
        c.end();
        resolve({ replies, closed: false });
      }
    });
    c.on('close', () => {
      clearTimeout(timer);
      resolve({ replies, closed: true });
    });
  });
}

describe('the control socket', () => {
  let m: MountHandle;
  let socket: string;
  beforeAll(async () => {
    m = await startMount({ engine: 'auto' });
    socket = socketPath(m.runDir, m.dir);
  });
  afterAll(stopAllMounts);

  test('is owner-only: mode 0600, owned by root; another user cannot connect', () => {
    const st = fs.statSync(socket);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
    expect(st.uid).toBe(0);
    fs.chmodSync(m.scratch, 0o755);
    fs.chmodSync(m.runDir, 0o755);
    const r = sh(`setpriv --reuid=65534 --regid=65534 --clear-groups ${process.execPath} -e 'require("net").connect(process.argv[1]).on("error",(e)=>{console.log(e.code);process.exit(0)}).on("connect",()=>{console.log("connected");process.exit(0)})' '${socket}'`);
    expect(r.stdout.trim()).toBe('EACCES');
  });

  test('a malformed request gets an error and the connection goes on serving', async () => {
    const { replies } = await exchange(socket, 'this is not json\n{"id":7,"method":"nope"}\n{"id":8,"method":"ping"}\n', 3);
    expect(replies[0]).toMatchObject({ id: null, ok: false, error: { code: 'LS_PROTOCOL' } });
    expect(replies[1]).toMatchObject({ id: 7, ok: false, error: { code: 'LS_PROTOCOL', message: 'unknown method nope' } });
    expect(replies[2]).toMatchObject({ id: 8, ok: true, result: { pong: true } });
  });

  test('an oversized request is refused without being parsed; the daemon still serves others', async () => {
    // Wait for more than one reply: the daemon must answer once and then close the connection.
    const { replies, closed } = await exchange(socket, 'x'.repeat(MAX_REQUEST_BYTES + 4096), 2);
    expect(replies[0]).toMatchObject({ ok: false, error: { code: 'LS_PROTOCOL' } });
    expect(String((replies[0].error as { message: string }).message)).toMatch(/longer than/);
    expect(replies).toHaveLength(1);
    expect(closed).toBe(true);
    expect(await m.ask('ping')).toMatchObject({ pong: true });
  });

  test('many clients at once are all answered', async () => {
    const all = await Promise.all(Array.from({ length: 50 }, (_, i) => exchange(socket, `{"id":${i},"method":"stats"}\n`, 1)));
    for (const [i, r] of all.entries()) expect(r.replies[0]).toMatchObject({ id: i, ok: true, result: { schema: 'logshadow.stats/2' } });
  });
});
