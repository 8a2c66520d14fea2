import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { loadNativeSys, type NativeSys } from '../engine/native/sys';

/** The lowest nice value, where SCHED_IDLE cannot be had. */
const LOWEST_NICE = 19;

type Warn = (message: string, fields: Record<string, unknown>) => void;

/**
 * The daemon's CPU priority, when it is off the data path (the native engine serves every write
 * in its own process): lowered for good, so that on a small machine the profiler runs in the
 * time the writers leave, and raised on the main thread while it answers a person (a `stats`
 * must not wait behind the writers it describes).
 *
 * Lowered means SCHED_IDLE: any other thread that wakes on the CPU preempts it at once. A nice
 * value of 19 alone does not, and a writer that blocks on every write wakes thousands of times a
 * second (fio, 256 B writes, one job, medians of five pairs against a daemon that profiles
 * nothing: p99 71 against 49 us at nice 19, 56 against 49 us under SCHED_IDLE). Linux keeps
 * both per thread: every thread of the process is lowered (V8's and libuv's helpers too), and
 * threads started later inherit the policy of their parent.
 */
export class DaemonPriority {
  private readonly normalNice = getPriority(0);
  private readonly sys: NativeSys | null;
  private lowered = false;
  /** False once raising was refused (no CAP_SYS_NICE, a low RLIMIT_NICE): requests run low too. */
  private canRaise = true;

  constructor(private readonly warn: Warn) {
    const load = loadNativeSys();
    this.sys = load.ok ? load.addon : null;
  }

  /** Every thread of this process to the lowest priority there is. */
  lower(): void {
    let threads: string[];
    try {
      threads = readdirSync('/proc/self/task');
    } catch (err) {
      this.warn('could not list the daemon\'s threads to lower their priority', { error: (err as Error).message });
      return;
    }
    let refused = 0;
    for (const tid of threads) if (this.lowerThread(Number(tid)) !== 0) refused++;
    if (refused > 0) this.warn('some of the daemon\'s threads keep their priority', { threads: refused });
    this.lowered = true;
  }

  /**
   * Runs `work` at the daemon's normal priority on this thread (when it was lowered). Synchronous
   * work only: nothing else of the event loop runs raised meanwhile.
   */
  raisedFor<T>(work: () => T): T {
    if (!this.lowered || !this.canRaise) return work();
    const r = this.sys ? this.sys.setIdleScheduling(0, false) : setNice(this.normalNice);
    if (r !== 0) {
      this.canRaise = false;
      this.warn('cannot raise the daemon\'s priority to answer requests: they run at the lowest', { errno: -r });
      return work();
    }
    try {
      return work();
    } finally {
      this.lowerThread(0);
    }
  }

  /** 0, or -errno when the thread could not be lowered (it may have ended meanwhile). */
  private lowerThread(tid: number): number {
    if (this.sys) {
      const r = this.sys.setIdleScheduling(tid, true);
      if (r === 0) return 0;
    }
    return setNice(LOWEST_NICE, tid);
  }
}

/** os.setPriority as 0 or -errno (it throws a SystemError, whose errno is libuv's, negative). */
function setNice(nice: number, tid = 0): number {
  try {
    setPriority(tid, nice);
    return 0;
  } catch (err) {
    const errno = (err as NodeJS.ErrnoException).errno ?? -1;
    return errno < 0 ? errno : -errno;
  }
}
