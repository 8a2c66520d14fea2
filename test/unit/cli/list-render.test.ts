import { renderList, wrap, type ListedMount, type ListReply } from '../../../src/cli/commands/list';

function mount(over: Partial<ListedMount>): ListedMount {
  return {
    mountpoint: '/var/log/myapp', state: 'ok', message: null, pid: 1234, enginePid: null, holders: null, engine: 'native', cache: 'writethrough',
    backing: '/var/log/myapp', ownTmpfs: true, startedAt: null, uptimeSec: 3600, sizeBytes: 256 << 20, freeBytes: 200 << 20,
    timeToFullSec: null, files: 12, socket: '/run/logshadow/x.sock', record: '/run/logshadow/x.json', ...over,
  };
}

describe('list, human view', () => {
  const reply: ListReply = {
    schema: 'logshadow.list/1', runDir: '/run/logshadow', runDirReadable: true,
    mounts: [
      mount({}),
      mount({ mountpoint: '/srv/a/very/long/path/that/does/not/fit/in/the/mountpoint/column/logs', state: 'stale', message: 'stale: run logshadow mount /srv/a/very/long/path/that/does/not/fit/in/the/mountpoint/column/logs to recover', sizeBytes: null, freeBytes: null, engine: 'fuse-native' }),
    ],
  };

  test('one line per mount and one of detail, all within 80 columns', () => {
    const text = renderList(reply);
    const lines = text.trimEnd().split('\n');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    expect(lines[0]).toMatch(/^MOUNTPOINT +STATE +ENGINE +CACHE +SIZE +FREE$/);
    expect(lines[1]).toMatch(/^\/var\/log\/myapp +ok +native +writethrough +256\.0MiB +200\.0MiB$/);
    // Details wrap (indented) rather than overflow.
    expect(lines[2]).toBe('    backing /var/log/myapp (own tmpfs), pid 1234, 12 files, up 1h00m,');
    expect(lines[3]).toBe('    full in never');
    // A long mountpoint keeps its end; the stale advice wraps instead of being cut.
    expect(lines[4]).toMatch(/^….*\/column\/logs +stale +fuse-native +writethrough +- +-$/);
    expect(lines.slice(5).join(' ').replace(/\s+/g, ' ')).toContain('stale: run logshadow mount /srv/a/very/long/path/that/does/not/fit/in/the/mountpoint/column/logs to recover');
  });

  test('every backing path length stays within 80 columns, commas included', () => {
    for (let n = 1; n <= 120; n++) {
      const path = '/' + 'b'.repeat(n);
      const text = renderList({ schema: 'logshadow.list/1', runDir: '/r', runDirReadable: true, mounts: [mount({ backing: path, mountpoint: path })] });
      for (const l of text.trimEnd().split('\n')) expect(l.length).toBeLessThanOrEqual(80);
    }
  });

  test('no mounts, and the word wrapper', () => {
    expect(renderList({ schema: 'logshadow.list/1', runDir: '/x', runDirReadable: true, mounts: [] })).toBe('no logshadow mounts (records looked for in /x)\n');
    expect(wrap('aa bb cc', 5)).toEqual(['aa bb', 'cc']);
    expect(wrap('/a/very/long/word', 8)).toEqual(['…ng/word']);
  });
});
