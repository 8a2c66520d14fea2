import { close } from 'node:fs';

export function closeQuietly(fd: number): void {
  close(fd, () => undefined);
}
