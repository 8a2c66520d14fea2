import { bareLevelAt } from './level-word';

/**
 * A level word at the very start of the line: `ERROR something broke`, `WARN  low disk`,
 * `error: no such file` (compilers, CLI tools, sshd inside syslog), `panic: runtime error` (Go).
 * See bareLevelAt for the rule that keeps prose (`Error handling was improved`) out. The last
 * detector in the table: every more specific format has had its chance.
 */
export function detectBareWord(buf: Uint8Array, start: number, end: number): number {
  return bareLevelAt(buf, start, end);
}
