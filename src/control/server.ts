import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { isLogshadowError, usageError } from '../errors';
import { listeningFd, OpenConnections } from '../util/open-connections';
import { MAX_REQUEST_BYTES, type ControlRequest, type ControlResponse } from './protocol';

export type Handler = (params: Record<string, unknown>) => unknown | Promise<unknown>;

/**
 * The daemon's side of the control socket. Owner-only (the run directory is 0700 and the socket
 * 0600), many clients at once, and a bad request gets an error reply while serving goes on.
 */
export class ControlServer {
  private readonly server: Server;
  readonly connections = new OpenConnections();

  constructor(private readonly handlers: Record<string, Handler>) {
    this.server = createServer((socket) => this.serve(socket));
  }

  listen(path: string): Promise<void> {
    ensureRunDir(dirname(path));
    rmSync(path, { force: true });
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      // bind(2) happens synchronously inside listen(): a tight umask there means the socket is
      // never reachable by others, even for the moment before the chmod below.
      const umask = process.umask(0o177);
      this.server.listen(path, () => {
        chmodSync(path, 0o600);
        this.server.off('error', reject);
        resolve();
      });
      process.umask(umask);
    });
  }

  /** The listening socket's descriptor, once listening (see listeningFd). */
  get fd(): number | undefined {
    return listeningFd(this.server);
  }

  close(): Promise<void> {
    this.connections.destroyAll();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: Socket): void {
    this.connections.add(socket);
    socket.on('error', () => socket.destroy());
    let pending = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        void this.answer(socket, line);
      }
      if (pending.length > MAX_REQUEST_BYTES) {
        pending = '';
        reply(socket, { id: null, ok: false, error: { code: 'LS_PROTOCOL', message: `request longer than ${MAX_REQUEST_BYTES} bytes` } });
        socket.end();
      }
    });
  }

  private async answer(socket: Socket, line: string): Promise<void> {
    if (line.length > MAX_REQUEST_BYTES) {
      return reply(socket, { id: null, ok: false, error: { code: 'LS_PROTOCOL', message: `request longer than ${MAX_REQUEST_BYTES} bytes` } });
    }
    let req: ControlRequest;
    try {
      req = JSON.parse(line) as ControlRequest;
      if (typeof req !== 'object' || req === null || typeof req.method !== 'string' || typeof req.id !== 'number') throw new Error('not a request');
    } catch {
      return reply(socket, { id: null, ok: false, error: { code: 'LS_PROTOCOL', message: 'malformed request: expected one JSON object {id, method, params} per line' } });
    }
    const handler = Object.prototype.hasOwnProperty.call(this.handlers, req.method) ? this.handlers[req.method] : undefined;
    if (!handler) {
      return reply(socket, { id: req.id, ok: false, error: { code: 'LS_PROTOCOL', message: `unknown method ${req.method}` } });
    }
    try {
      const result = await handler(req.params ?? {});
      reply(socket, { id: req.id, ok: true, result });
    } catch (err) {
      const code = isLogshadowError(err) ? err.code : 'LS_INTERNAL';
      reply(socket, { id: req.id, ok: false, error: { code, message: err instanceof Error ? err.message : String(err) } });
    }
  }
}

/** Created owner-only if missing; an existing directory keeps its mode (each socket is 0600). */
export function ensureRunDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw usageError(`cannot create the run directory ${dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): give --run-dir a directory`);
  }
}

function reply(socket: Socket, response: ControlResponse): void {
  if (!socket.destroyed) socket.write(JSON.stringify(response) + '\n');
}
