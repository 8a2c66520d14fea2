import { closeSync } from 'node:fs';

/** Closes a descriptor this process owns; one that is already closed is not an error here. */
export function closeQuietlySync(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed: nothing to give back
  }
}
