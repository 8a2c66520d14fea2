/**
 * What a line's bytes are, as a small integer code (see severity.ts for why not an enum).
 * Structured types (json, logfmt, syslog) are decided by the format detector that claimed the line;
 * text is any other valid UTF-8 line; binary wins over all of them (NUL bytes, invalid UTF-8, or a
 * high share of control bytes).
 */
export const DataType = {
  Json: 0,
  Logfmt: 1,
  Syslog: 2,
  Text: 3,
  Binary: 4,
} as const;
export type DataType = (typeof DataType)[keyof typeof DataType];

export const DATA_TYPE_COUNT = 5;

/** Indexed by DataType code. */
export const DATA_TYPE_NAMES = ['json', 'logfmt', 'syslog', 'text', 'binary'] as const;
export type DataTypeName = (typeof DATA_TYPE_NAMES)[number];
