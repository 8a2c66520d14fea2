import { readFileSync } from 'node:fs';

/** Who opened a file: read from /proc once, when the open is first seen. */
export interface WriterInfo {
  pid: number;
  /** The application name streams are grouped by: comm, or `unknown`. */
  comm: string;
  cmdline: string;
  uid: number;
}

export const UNKNOWN_WRITER: WriterInfo = { pid: 0, comm: 'unknown', cmdline: '', uid: -1 };

const MAX_CMDLINE = 256;

/**
 * The process may already have exited (a shell's `echo >> file` lives for microseconds); its
 * record then says so rather than guessing. `fallbackComm` is what the engine saw at open time.
 */
export function readWriterInfo(pid: number, fallbackComm?: string): WriterInfo {
  if (pid <= 0) return UNKNOWN_WRITER;
  let comm = fallbackComm ?? '';
  let cmdline = '';
  let uid = -1;
  try {
    comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim() || comm;
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter(Boolean).join(' ').slice(0, MAX_CMDLINE);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
  } catch {
    if (!comm) comm = 'exited';
  }
  return { pid, comm: comm || 'unknown', cmdline, uid };
}
