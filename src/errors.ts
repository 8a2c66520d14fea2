/**
 * Typed errors with stable codes (the undici practice): callers branch on `code`, never on the
 * message, and the CLI maps each code to one documented exit status.
 */
export const ErrorCodes = {
  USAGE: 'LS_USAGE',
  /** A bad value of one option (OptionError says which): a usage error. */
  BAD_OPTION: 'LS_BAD_OPTION',
  NO_DIRECTORY: 'LS_NO_DIRECTORY',
  NOT_EMPTY: 'LS_NOT_EMPTY',
  ALREADY_MOUNTED: 'LS_ALREADY_MOUNTED',
  NOT_MOUNTED: 'LS_NOT_MOUNTED',
  BAD_BACKING: 'LS_BAD_BACKING',
  /** --persist names a directory that cannot keep logs durable (tmpfs, inside the mount...). */
  BAD_PERSIST: 'LS_BAD_PERSIST',
  /** `logshadow sync` could not make the tails durable (the disk is full, read-only, failing). */
  SYNC_FAILED: 'LS_SYNC_FAILED',
  NO_FUSE: 'LS_NO_FUSE',
  NOT_ROOT: 'LS_NOT_ROOT',
  MOUNT_FAILED: 'LS_MOUNT_FAILED',
  UNMOUNT_FAILED: 'LS_UNMOUNT_FAILED',
  /** Applications hold files of the mount open: unmounting would fail their later writes. */
  IN_USE: 'LS_IN_USE',
  ENGINE_UNAVAILABLE: 'LS_ENGINE_UNAVAILABLE',
  /** A daemon started in the background failed for a reason of its environment. */
  ENVIRONMENT_FAILURE: 'LS_ENVIRONMENT',
  DAEMON_UNREACHABLE: 'LS_DAEMON_UNREACHABLE',
  PROTOCOL: 'LS_PROTOCOL',
  INTERNAL: 'LS_INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Exit statuses, documented in the README. */
export const ExitCodes = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  ENVIRONMENT: 3,
  NOT_MOUNTED: 4,
  DAEMON_UNREACHABLE: 5,
} as const;

const exitByCode: Record<ErrorCode, number> = {
  LS_USAGE: ExitCodes.USAGE,
  LS_BAD_OPTION: ExitCodes.USAGE,
  LS_NO_DIRECTORY: ExitCodes.USAGE,
  LS_NOT_EMPTY: ExitCodes.USAGE,
  LS_ALREADY_MOUNTED: ExitCodes.USAGE,
  LS_BAD_BACKING: ExitCodes.USAGE,
  LS_BAD_PERSIST: ExitCodes.USAGE,
  LS_SYNC_FAILED: ExitCodes.FAILURE,
  LS_NOT_MOUNTED: ExitCodes.NOT_MOUNTED,
  LS_NO_FUSE: ExitCodes.ENVIRONMENT,
  LS_NOT_ROOT: ExitCodes.ENVIRONMENT,
  LS_ENGINE_UNAVAILABLE: ExitCodes.ENVIRONMENT,
  LS_ENVIRONMENT: ExitCodes.ENVIRONMENT,
  LS_MOUNT_FAILED: ExitCodes.FAILURE,
  LS_UNMOUNT_FAILED: ExitCodes.FAILURE,
  LS_IN_USE: ExitCodes.FAILURE,
  LS_DAEMON_UNREACHABLE: ExitCodes.DAEMON_UNREACHABLE,
  LS_PROTOCOL: ExitCodes.FAILURE,
  LS_INTERNAL: ExitCodes.FAILURE,
};

export class LogshadowError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LogshadowError';
    this.code = code;
  }

  get exitCode(): number {
    return exitByCode[this.code] ?? ExitCodes.FAILURE;
  }
}

export function isLogshadowError(e: unknown): e is LogshadowError {
  return e instanceof LogshadowError;
}

export function usageError(message: string): LogshadowError {
  return new LogshadowError(ErrorCodes.USAGE, message);
}

/**
 * A bad value of one option, saying which (`flag`, as typed: "--size") and what is wrong with it,
 * so that a caller can say it again in other words (a config file names the key, not the flag).
 */
export class OptionError extends LogshadowError {
  constructor(readonly flag: string, readonly problem: string) {
    super(ErrorCodes.BAD_OPTION, `${flag}: ${problem}`);
    this.name = 'OptionError';
  }
}

export function optionError(flag: string, problem: string): OptionError {
  return new OptionError(flag, problem);
}
