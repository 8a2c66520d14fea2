import type { Command } from 'commander';
import { DEFAULTS, parseDuration, parsePositiveInt } from '../../config/mount-config';
import { usageError } from '../../errors';
import { failAndExit } from '../output';
import { askDaemon, requireMounted, targetOf, type Target } from '../target';
import { isSortKey, renderFrame, SORT_KEYS, type SortKey, type TopShadow, type TopStats } from '../top-frame';

interface TopFlags {
  interval: string;
  sort: string;
  once?: boolean;
  top?: string;
  width?: string;
  runDir: string;
}

// Plain ANSI (VT100/xterm) sequences only: any terminal an ssh session offers understands them.
const ALT_SCREEN_ON = '\x1b[?1049h';
const ALT_SCREEN_OFF = '\x1b[?1049l';
const CURSOR_HIDE = '\x1b[?25l';
const CURSOR_SHOW = '\x1b[?25h';
const HOME = '\x1b[H';
const CLEAR_SCREEN = '\x1b[2J';
const CLEAR_LINE_END = '\x1b[K';
const CLEAR_BELOW = '\x1b[J';
const CTRL_C = '\x03';
const ESC = '\x1b';

export function registerTop(program: Command): void {
  program
    .command('top')
    .description('a live view of a mount: RAM disk use and time to full, then every stream with its rate, level mix and forecast')
    .argument('<dir>', 'a logshadow mountpoint')
    .option('--interval <duration>', 'refresh period', '1s')
    .option('--sort <key>', `initial order: ${Object.entries(SORT_KEYS).map(([k, v]) => `${k} ${v}`).join(', ')}`, 'b')
    .option('--once', 'print one frame and exit, without terminal control (for scripts)')
    .option('--top <n>', 'streams listed per table at most (default: what fits; 20 with --once)')
    .option('--width <columns>', 'frame width (default: the terminal\'s, 80 when unknown)')
    .option('--run-dir <dir>', 'where control sockets live', DEFAULTS.runDir)
    .addHelpText('after', `
Keys: b r e c n sort by bytes, rate, errors, confidence, name; q, Ctrl-C quit.
NEXT [90%]: the forecast of the next horizon's bytes, mean then 90% interval.
RSVD: what the allocator reserved ahead of the file so far; HIT: the share of
its appends that landed in a reservation.

Examples:
  logshadow top /var/log/myapp
  logshadow top /var/log/myapp --interval 250ms --sort e
  logshadow top /var/log/myapp --once --top 5   one frame, for scripts`)
    .action(async (dir: string, flags: TopFlags) => {
      try {
        const intervalMs = parseDuration(flags.interval, '--interval');
        if (intervalMs < 100) throw usageError('--interval: at least 100ms');
        if (!isSortKey(flags.sort)) throw usageError(`--sort: "${flags.sort}" is not one of ${Object.keys(SORT_KEYS).join(', ')}`);
        const top = flags.top === undefined ? undefined : parsePositiveInt(flags.top, '--top');
        const width = flags.width === undefined ? undefined : parsePositiveInt(flags.width, '--width');
        const target = targetOf(dir, flags.runDir);
        requireMounted(target);
        if (flags.once) {
          const [stats, shadow] = await fetchFrame(target, 10_000);
          const lines = renderFrame(stats, shadow, {
            width: width ?? process.stdout.columns ?? 80, height: Number.POSITIVE_INFINITY, sort: flags.sort, top: top ?? 20,
            intervalMs, clock: clock(), keys: false,
          });
          process.stdout.write(lines.join('\n') + '\n');
          return;
        }
        if (!process.stdout.isTTY) throw usageError('top needs a terminal on stdout: use --once for a single frame');
        await runLive(target, { intervalMs, sort: flags.sort, top, width });
      } catch (err) {
        failAndExit(err);
      }
    });
}

function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}

type FrameData = [TopStats, TopShadow];

function fetchFrame(target: Target, timeoutMs: number): Promise<FrameData> {
  return Promise.all([
    askDaemon<TopStats>(target, 'stats', {}, timeoutMs),
    askDaemon<TopShadow>(target, 'shadow', { entries: 0 }, timeoutMs),
  ]);
}

interface LiveOptions {
  intervalMs: number;
  sort: SortKey;
  top?: number;
  width?: number;
}

/**
 * The live view. The terminal is put back (cursor, main screen, cooked mode) on every way out:
 * q, Ctrl-C, a signal, an exception, or the process exiting for any other reason.
 */
async function runLive(target: Target, o: LiveOptions): Promise<void> {
  const out = process.stdout;
  const input = process.stdin;
  let sort = o.sort;
  let data: FrameData | null = null;
  let error: string | null = null;
  let timer: NodeJS.Timeout | null = null;
  let restored = false;

  const restore = () => {
    if (restored) return;
    restored = true;
    if (timer) clearTimeout(timer);
    if (input.isTTY) {
      try {
        input.setRawMode(false);
      } catch {
        // stdin already closed: the terminal keeps whatever mode it has, nothing more to do
      }
    }
    out.write(CURSOR_SHOW + ALT_SCREEN_OFF);
  };
  const quit = (code: number, message?: string) => {
    restore();
    if (message) process.stderr.write(`logshadow: ${message}\n`);
    process.exit(code);
  };
  process.on('exit', restore);
  process.on('SIGINT', () => quit(0));
  process.on('SIGTERM', () => quit(143));
  process.on('SIGHUP', () => quit(129));
  process.on('uncaughtException', (err) => quit(1, `internal error: ${err.message.split('\n')[0]}`));
  process.on('unhandledRejection', (err) => quit(1, `internal error: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`));

  const draw = () => {
    if (restored) return;
    const width = o.width ?? out.columns ?? 80;
    const height = out.rows ?? 24;
    let lines: string[];
    if (data) {
      lines = renderFrame(data[0], data[1], { width, height, sort, top: o.top ?? Number.POSITIVE_INFINITY, intervalMs: o.intervalMs, clock: clock(), error, keys: true });
    } else {
      lines = [error ? `logshadow top ${target.mountpoint}: ${error}` : `logshadow top ${target.mountpoint}: asking the daemon...`, '', 'q quits'];
    }
    out.write(HOME + lines.map((l) => l + CLEAR_LINE_END).join('\r\n') + CLEAR_BELOW);
  };

  out.write(ALT_SCREEN_ON + CURSOR_HIDE + CLEAR_SCREEN);
  if (input.isTTY) {
    input.setRawMode(true);
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => {
      // An arrow or function key arrives as an escape sequence ("\x1b[B"): none of its letters is a key.
      if (chunk.startsWith(ESC)) return;
      for (const key of chunk) {
        if (key === 'q' || key === 'Q' || key === CTRL_C) quit(0);
        else if (isSortKey(key)) {
          sort = key;
          draw();
        }
      }
    });
    input.resume();
  }
  out.on('resize', () => {
    out.write(CLEAR_SCREEN);
    draw();
  });

  const refresh = async () => {
    try {
      data = await fetchFrame(target, Math.max(2000, 2 * o.intervalMs));
      error = null;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    draw();
    if (!restored) timer = setTimeout(() => void refresh(), o.intervalMs);
  };
  draw();
  await refresh();
}
