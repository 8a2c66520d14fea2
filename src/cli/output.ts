import { ExitCodes, isLogshadowError } from '../errors';

/** Errors reach the user as one line on stderr and a documented exit status. */
export function failAndExit(err: unknown): never {
  if (isLogshadowError(err)) {
    process.stderr.write(`logshadow: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`logshadow: internal error: ${message.split('\n')[0]}\n`);
  if (process.env.LOGSHADOW_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  process.exit(ExitCodes.FAILURE);
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
