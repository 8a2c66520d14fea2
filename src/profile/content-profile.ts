import { ByteFlag } from './byte-scan';
import { byteFlagsOf, classifyLine, continuesEntry, dataTypeOf, formatOf, isDerived, severityOf } from './classify-line';
import { DATA_TYPE_COUNT, DATA_TYPE_NAMES, DataType } from './data-type';
import { continuesPrevious } from './entry-rule';
import { FormatLearner } from './format-learner';
import { FORMAT_COUNT, FORMAT_NAMES } from './formats';
import { DEFAULT_MAX_RETAINED_BYTES, LineFlag, LineSplitter } from './line-splitter';
import { SEVERITY_COUNT, SEVERITY_NAMES, Severity } from './severity';
import { packedFloat64 } from '../util/packed-arrays';

/** LineHook's `kind` bits. */
export const LineKind = {
  /** The line starts an entry (otherwise it continues the one before, and has that entry's level). */
  StartsEntry: 1,
  /** The level is derived (an HTTP status class), not written. */
  Derived: 2,
} as const;

/**
 * Called once per completed line, for consumers such as the models in src/model/. `format` is the
 * index in FORMAT_NAMES of the format that claimed the line, or FORMAT_COUNT for none.
 */
export type LineHook = (lengthBytes: number, severity: Severity, dataType: DataType, format: number, kind: number) => void;

export interface ContentProfileOptions {
  /** Retained head of a line split across chunks (see LineSplitter); default 4 KiB. */
  maxRetainedBytes?: number;
  onLine?: LineHook;
}

/** A plain copy of a ContentProfile's counters, for reports and the control socket. */
export interface ContentSnapshot {
  chunks: number;
  bytes: number;
  lines: number;
  /** Entries begun: a stack trace or a traceback under its first line is one entry. */
  entries: number;
  /** Bytes of the partial line not yet ended by a newline or flush(); bytes = lineBytes + pendingBytes. */
  pendingBytes: number;
  lineBytes: number;
  lineBytesMax: number;
  lineBytesSumOfSquares: number;
  bySeverity: Record<string, number>;
  /** Entries per level (each entry's level is its first line's). */
  entriesBySeverity: Record<string, number>;
  /** Lines whose level is derived (an HTTP status class) rather than written. */
  derivedLines: number;
  /** The format this file was learned to be written in, or null while not (yet) known. */
  learnedFormat: string | null;
  byDataType: Record<string, number>;
  /** Lines claimed by each format; `none` for lines no format claimed. */
  byFormat: Record<string, number>;
  emptyLines: number;
  crlfLines: number;
  truncatedLines: number;
  unterminatedLines: number;
  binaryLines: number;
  nulLines: number;
  invalidUtf8Lines: number;
  controlHeavyLines: number;
}

/**
 * The content side of one file's profile: fed the file's new bytes in order (from the backing file,
 * on the refresh tick), it splits them into lines, classifies each and keeps counts. Independent of
 * the filesystem; counters are plain numbers and typed arrays, turned into objects only by
 * snapshot(). Counts are exact: every byte fed belongs to exactly one line once flush() has run,
 * and every line is counted once in each breakdown.
 */
export class ContentProfile {
  private chunks_ = 0;
  private bytes_ = 0;
  private lines_ = 0;
  private lineBytes_ = 0;
  private lineBytesMax_ = 0;
  private lineBytesSumOfSquares_ = 0;
  private emptyLines_ = 0;
  private crlfLines_ = 0;
  private truncatedLines_ = 0;
  private unterminatedLines_ = 0;
  private nulLines_ = 0;
  private invalidUtf8Lines_ = 0;
  private controlHeavyLines_ = 0;
  private entries_ = 0;
  private derivedLines_ = 0;
  /** The level of the entry the next continuation line belongs to; -1 before the first line. */
  private entryLevel = -1;
  /** Whether that entry's first line was in a format (see continuesPrevious). */
  private entryInFormat = false;
  private readonly learner = new FormatLearner();

  /** Non-empty chunks fed. */
  get chunks(): number {
    return this.chunks_;
  }
  /** Bytes fed. */
  get bytes(): number {
    return this.bytes_;
  }
  /** Lines ended, by a newline or by flush(). */
  get lines(): number {
    return this.lines_;
  }
  /** Entries begun (see continuesPrevious for what continues an entry). */
  get entries(): number {
    return this.entries_;
  }
  get derivedLines(): number {
    return this.derivedLines_;
  }
  /** Index in FORMAT_NAMES of the format learned for this file, or -1. */
  get learnedFormat(): number {
    return this.learner.format;
  }
  /** Sum of line lengths in bytes, terminators included. */
  get lineBytes(): number {
    return this.lineBytes_;
  }
  get lineBytesMax(): number {
    return this.lineBytesMax_;
  }
  get lineBytesSumOfSquares(): number {
    return this.lineBytesSumOfSquares_;
  }
  /** Lines with no content (the terminator only). */
  get emptyLines(): number {
    return this.emptyLines_;
  }
  get crlfLines(): number {
    return this.crlfLines_;
  }
  /** Lines longer than the retained prefix, classified on their head. */
  get truncatedLines(): number {
    return this.truncatedLines_;
  }
  /** Lines ended by flush() rather than a newline. */
  get unterminatedLines(): number {
    return this.unterminatedLines_;
  }
  get nulLines(): number {
    return this.nulLines_;
  }
  get invalidUtf8Lines(): number {
    return this.invalidUtf8Lines_;
  }
  get controlHeavyLines(): number {
    return this.controlHeavyLines_;
  }

  // The breakdowns are typed arrays so counting allocates nothing; callers read them, never write.
  /** Lines per Severity code; a continuation line counts at its entry's level. */
  readonly bySeverity: Float64Array;
  /** Entries per Severity code. */
  readonly entriesBySeverity: Float64Array;
  /** Lines per DataType code. */
  readonly byDataType: Float64Array;
  /** Lines per format index (FORMAT_NAMES), then one slot for lines no format claimed. */
  readonly byFormat: Float64Array;

  private readonly splitter: LineSplitter;
  private readonly onLine: LineHook | undefined;

  constructor(options: ContentProfileOptions = {}) {
    this.onLine = options.onLine;
    [this.bySeverity, this.entriesBySeverity, this.byDataType, this.byFormat] =
      packedFloat64(SEVERITY_COUNT, SEVERITY_COUNT, DATA_TYPE_COUNT, FORMAT_COUNT + 1);
    // A bound method would be as good; an arrow keeps `this` without a bind() call per profile.
    this.splitter = new LineSplitter(
      (buf, start, end, lengthBytes, flags) => this.countLine(buf, start, end, lengthBytes, flags),
      options.maxRetainedBytes ?? DEFAULT_MAX_RETAINED_BYTES,
    );
  }

  /** Feeds the file's next bytes, [start, end) of buf, in file order. */
  push(buf: Uint8Array, start = 0, end = buf.length): void {
    if (end <= start) return;
    this.chunks_++;
    this.bytes_ += end - start;
    this.splitter.push(buf, start, end);
  }

  /** Ends a pending partial line (file closed, rotated or truncated). */
  flush(): void {
    this.splitter.flush();
  }

  get pendingBytes(): number {
    return this.splitter.pendingBytes;
  }

  /** Bytes held for a partial line; bounded by maxRetainedBytes. */
  get retainedBytes(): number {
    return this.splitter.retainedBytes;
  }

  get binaryLines(): number {
    return this.byDataType[DataType.Binary]!;
  }

  private countLine(buf: Uint8Array, start: number, end: number, lengthBytes: number, lineFlags: number): void {
    const truncated = (lineFlags & LineFlag.Truncated) !== 0;
    const c = classifyLine(buf, start, end, truncated, this.learner.format);
    let severity: Severity = severityOf(c);
    const dataType = dataTypeOf(c);
    const format = formatOf(c);
    const byteFlags = byteFlagsOf(c);
    this.learner.observe(format);
    // Binary garbage (NUL or control bytes) is nobody's message: it never continues an entry.
    const text = (byteFlags & (ByteFlag.Nul | ByteFlag.ControlHeavy)) === 0;
    const continues = this.entryLevel >= 0 &&
      (continuesEntry(c) || (format < 0 && text && continuesPrevious(buf, start, end, this.entryInFormat)));
    if (continues) {
      severity = this.entryLevel as Severity;
    } else {
      this.entryLevel = severity;
      this.entryInFormat = format >= 0;
      this.entries_++;
      this.entriesBySeverity[severity]!++;
    }
    const derived = isDerived(c);
    if (derived) this.derivedLines_++;

    this.lines_++;
    this.lineBytes_ += lengthBytes;
    this.lineBytesSumOfSquares_ += lengthBytes * lengthBytes;
    if (lengthBytes > this.lineBytesMax_) this.lineBytesMax_ = lengthBytes;
    this.bySeverity[severity]!++;
    this.byDataType[dataType]!++;
    this.byFormat[format < 0 ? FORMAT_COUNT : format]!++;
    if (end === start && !truncated) this.emptyLines_++;
    if ((lineFlags & LineFlag.Crlf) !== 0) this.crlfLines_++;
    if (truncated) this.truncatedLines_++;
    if ((lineFlags & LineFlag.Unterminated) !== 0) this.unterminatedLines_++;
    if ((byteFlags & ByteFlag.Nul) !== 0) this.nulLines_++;
    if ((byteFlags & ByteFlag.InvalidUtf8) !== 0) this.invalidUtf8Lines_++;
    if ((byteFlags & ByteFlag.ControlHeavy) !== 0) this.controlHeavyLines_++;

    if (this.onLine !== undefined) {
      const kind = (continues ? 0 : LineKind.StartsEntry) | (derived ? LineKind.Derived : 0);
      this.onLine(lengthBytes, severity, dataType, format < 0 ? FORMAT_COUNT : format, kind);
    }
  }

  snapshot(): ContentSnapshot {
    const bySeverity: Record<string, number> = {};
    const entriesBySeverity: Record<string, number> = {};
    for (let s = 0; s < SEVERITY_COUNT; s++) {
      bySeverity[SEVERITY_NAMES[s]!] = this.bySeverity[s]!;
      entriesBySeverity[SEVERITY_NAMES[s]!] = this.entriesBySeverity[s]!;
    }
    const byDataType: Record<string, number> = {};
    for (let d = 0; d < DATA_TYPE_COUNT; d++) byDataType[DATA_TYPE_NAMES[d]!] = this.byDataType[d]!;
    const byFormat: Record<string, number> = {};
    for (let f = 0; f < FORMAT_COUNT; f++) byFormat[FORMAT_NAMES[f]!] = this.byFormat[f]!;
    byFormat['none'] = this.byFormat[FORMAT_COUNT]!;
    return {
      chunks: this.chunks,
      bytes: this.bytes,
      lines: this.lines,
      entries: this.entries,
      pendingBytes: this.pendingBytes,
      lineBytes: this.lineBytes,
      lineBytesMax: this.lineBytesMax,
      lineBytesSumOfSquares: this.lineBytesSumOfSquares,
      bySeverity,
      entriesBySeverity,
      derivedLines: this.derivedLines,
      learnedFormat: this.learnedFormat < 0 ? null : FORMAT_NAMES[this.learnedFormat]!,
      byDataType,
      byFormat,
      emptyLines: this.emptyLines,
      crlfLines: this.crlfLines,
      truncatedLines: this.truncatedLines,
      unterminatedLines: this.unterminatedLines,
      binaryLines: this.binaryLines,
      nulLines: this.nulLines,
      invalidUtf8Lines: this.invalidUtf8Lines,
      controlHeavyLines: this.controlHeavyLines,
    };
  }
}
