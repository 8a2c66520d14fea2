import { spawn, type ChildProcess } from 'node:child_process';

/**
 * A competing process that keeps the page allocator busy: it allocates 256 MiB buffers, touches
 * every page, keeps up to 4 GiB, frees the oldest and goes on, so reclaim and zeroing compete
 * with the writes being measured.
 */
export function startMemoryPressure(): ChildProcess {
  const code = `
const chunks = [];
for (;;) {
  const b = Buffer.allocUnsafe(256 * 1024 * 1024);
  for (let i = 0; i < b.length; i += 4096) b[i] = 1;
  chunks.push(b);
  if (chunks.length > 16) chunks.shift();
}`;
  return spawn(process.execPath, ['--max-old-space-size=8192', '-e', code], { stdio: 'ignore' });
}
