import { connect } from 'node:net';
import { ErrorCodes, LogshadowError, type ErrorCode } from '../errors';
import type { ControlResponse } from './protocol';

/**
 * A daemon that is there but whose socket this user may not reach (it is root's, owner-only) is a
 * permission matter, not a missing daemon.
 */
export function connectError(socket: string, err: NodeJS.ErrnoException): LogshadowError {
  if (err.code === 'EACCES' || err.code === 'EPERM') {
    return new LogshadowError(ErrorCodes.NOT_ROOT, `permission denied on ${socket}: the daemon's control socket is root's only; run this as root (sudo)`);
  }
  return new LogshadowError(ErrorCodes.DAEMON_UNREACHABLE, `no logshadow daemon answers on ${socket} (${err.code ?? err.message})`);
}

/** One request over the control socket, answered or failed within `timeoutMs`. */
export function request<T = unknown>(socket: string, method: string, params: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const conn = connect(socket);
    let buffered = '';
    const fail = (err: LogshadowError) => {
      clearTimeout(timer);
      conn.destroy();
      reject(err);
    };
    const timer = setTimeout(
      () => fail(new LogshadowError(ErrorCodes.DAEMON_UNREACHABLE, `the logshadow daemon did not answer "${method}" within ${timeoutMs} ms`)),
      timeoutMs,
    );
    conn.setEncoding('utf8');
    conn.on('connect', () => conn.write(JSON.stringify({ id: 1, method, params }) + '\n'));
    conn.on('error', (err: NodeJS.ErrnoException) => fail(connectError(socket, err)));
    conn.on('data', (chunk: string) => {
      buffered += chunk;
      const nl = buffered.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      conn.end();
      let res: ControlResponse;
      try {
        res = JSON.parse(buffered.slice(0, nl)) as ControlResponse;
      } catch {
        return reject(new LogshadowError(ErrorCodes.PROTOCOL, 'the daemon sent a malformed reply'));
      }
      if (res.ok) resolve(res.result as T);
      else reject(new LogshadowError(res.error.code as ErrorCode, res.error.message));
    });
  });
}
