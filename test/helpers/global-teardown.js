// Last line of defence: nothing this run mounted under its scratch prefix (see scratch.ts)
// survives it; the mounts of another run on the same machine are not ours to touch.
const { readFileSync } = require('node:fs');
const { spawnSync } = require('node:child_process');

module.exports = async function globalTeardown() {
  const prefix = `/tmp/logshadow-test-${process.env.LOGSHADOW_TEST_RUN}-`;
  for (let pass = 0; pass < 4; pass++) {
    const left = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[4])
      .filter((m) => m && m.startsWith(prefix));
    if (left.length === 0) return;
    for (const m of left.reverse()) spawnSync('umount', ['--no-canonicalize', '--lazy', m]);
  }
};
