/**
 * The control protocol: one JSON object per line over a Unix socket, a request answered by one
 * response with the same id. Requests are small; anything longer than MAX_REQUEST_BYTES is
 * refused without being parsed.
 */
export const PROTOCOL_VERSION = 1;
export const MAX_REQUEST_BYTES = 64 * 1024;

export interface ControlRequest {
  id: number;
  method: string;
  params?: Record<string, unknown>;
}

export type ControlResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number | null; ok: false; error: { code: string; message: string } };

/** What a mount's registry record (next to its socket) says about it. */
export interface MountRecord {
  version: number;
  mountpoint: string;
  /** The daemon's pid. */
  pid: number;
  socket: string;
  /** The native engine's process, which holds the mount and outlives daemons (absent: fuse-native). */
  enginePid?: number;
  engineSocket?: string;
  engine: string;
  cache: string;
  backing: string;
  /** Whether logshadow mounted the tmpfs under the mountpoint itself. */
  ownTmpfs: boolean;
  /** A tiered mount's disk directory and RAM directory (null for a RAM-only mount). */
  diskDir?: string | null;
  ramDir?: string | null;
  startedAt: string;
}
