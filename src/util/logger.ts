import { closeSync, openSync } from 'node:fs';
import winston from 'winston';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type Logger = winston.Logger;

/**
 * The daemon's own logs: winston to stderr and optionally a file. The caller has already checked
 * that the file is not inside a mount this daemon serves (writing there would feed the profiler
 * with its own output, and could deadlock on a mount being torn down).
 */
export function createLogger(level: LogLevel, file: string | null): Logger {
  const line = winston.format.printf(({ timestamp, level: lvl, message, ...meta }) => {
    const extra = Object.entries(meta)
      .map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`)
      .join(' ');
    return `${String(timestamp)} ${lvl}: ${String(message)}${extra ? ' ' + extra : ''}`;
  });
  const transports: winston.transport[] = [
    new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] }),
  ];
  if (file) {
    // Created owner-only now: the daemon's umask is 0 once it serves (see Daemon.start).
    closeSync(openSync(file, 'a', 0o600));
    transports.push(new winston.transports.File({ filename: file }));
  }
  return winston.createLogger({
    level,
    format: winston.format.combine(winston.format.timestamp(), line),
    transports,
  });
}
