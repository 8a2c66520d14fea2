import { readdirSync, readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { loadNativeSys, type NativeSys } from '../engine/native/sys';

/** The lowest nice value, where SCHED_IDLE cannot be had. */
const LOWEST_NICE = 19;
/**
 * The main thread's nice value while it answers (under SCHED_IDLE a nice value counts for
 * nothing, so it keeps this one). At nice 0 it got a tenth of a CPU among a dozen busy writer
 * threads on two cores, and 0.1 s of work took a second; at -10 it weighs as much as nine of
 * them. What that takes from the writers is bounded by the request's own tick (Daemon).
 */
const ANSWERING_NICE = -10;

type Warn = (message: string, fields: Record<string, unknown>) => void;

/**
 * The daemon's CPU priority, when it is off the data path (the native engine serves every write
 * in its own process): lowered for good, so that on a small machine the profiler runs in the
 * time the writers leave, and raised on the main thread from the moment a person asks until the
 * answer has gone (a `stats` must not wait behind the writers it describes).
 *
 * Lowered means SCHED_IDLE: any other thread that wakes on the CPU preempts it at once. A nice
 * value of 19 alone does not, and a writer that blocks on every write wakes thousands of times a
 * second (fio, 256 B writes, one job, medians of five pairs against a daemon that profiles
 * nothing: p99 71 against 49 us at nice 19, 56 against 49 us under SCHED_IDLE). Linux keeps
 * both per thread: every thread of the process is lowered (V8's and libuv's helpers too), and
 * threads started later inherit the policy of their parent.
 *
 * But a thread under SCHED_IDLE may not run at all for seconds while the writers hold every CPU,
 * so the code that would raise it for a request would not run either (seen: `stats` answered
 * after 1-5 s under an overload, its own work taking 1 ms). Hence the threads that only wait and
 * hand work over keep their priority: the waker (native/src/sys.h) raises the main thread when a
 * connection waits on a listening socket, and the engine link's reader raises it when it hands
 * over a file-gone question or a reply. Both are named ls-*; neither spends CPU while it waits.
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

  /**
   * Every thread of this process to the lowest priority there is, but for those named ls-*;
   * `wakeOn`: the listening sockets whose connections raise the main thread.
   */
  lower(wakeOn: number[]): void {
    if (this.sys && wakeOn.length > 0) {
      const r = this.sys.wakerStart(wakeOn);
      if (r !== 0) this.warn('requests wait while the writers hold the CPU: cannot start the thread that raises the daemon for them', { errno: -r });
    }
    let threads: string[];
    try {
      threads = readdirSync('/proc/self/task');
    } catch (err) {
      this.warn('could not list the daemon\'s threads to lower their priority', { error: (err as Error).message });
      return;
    }
    let refused = 0;
    for (const tid of threads) if (!keepsPriority(tid) && this.lowerThread(Number(tid)) !== 0) refused++;
    // Only where SCHED_IDLE lowers it: the fallback, nice 19, is the nice value itself.
    if (this.sys && this.sys.setIdleScheduling(0, true) === 0) setNice(ANSWERING_NICE);
    if (refused > 0) this.warn('some of the daemon\'s threads keep their priority', { threads: refused });
    this.lowered = true;
  }

  /**
   * Runs `work` with the main thread raised (when it was lowered): SCHED_OTHER at ANSWERING_NICE,
   * or its normal nice value where SCHED_IDLE could not be had. It stays raised until the next
   * settle(): the answer may not be written out yet.
   */
  raisedFor<T>(work: () => T): T {
    this.raise();
    return work();
  }

  /**
   * The main thread raised until the next settle(): as a connection is accepted, for its request
   * (the waker may have seen it waiting and raised the thread already, or not: accepted by a
   * thread that was lowered meanwhile).
   */
  raise(): void {
    if (!this.lowered || !this.canRaise) return;
    const r = this.sys ? this.sys.setIdleScheduling(0, false) : setNice(this.normalNice);
    if (r !== 0) {
      this.canRaise = false;
      this.warn('cannot raise the daemon\'s priority to answer requests: they run at the lowest', { errno: -r });
    }
  }

  /**
   * Before work beside the data path: the main thread lowered again (one syscall), wherever a
   * request, a connection or the engine link raised it.
   */
  settle(): void {
    if (!this.lowered || !this.canRaise) return;
    // The waker always watches: a connection already waiting raises it again within its pause.
    // Only when something raised the thread: a change of policy per slice was 2% of the daemon's
    // CPU under four fio jobs (a read of it costs less than half).
    if (this.sys && this.sys.lowerMainIfRaised() === 0) return;
    setNice(LOWEST_NICE);
  }

  /** Stops the waker: before the listening sockets close. */
  stop(): void {
    this.sys?.wakerStop();
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

/** The threads that only wait and hand work over (see DaemonPriority): named ls-* in C. */
function keepsPriority(tid: string): boolean {
  try {
    return readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').startsWith('ls-');
  } catch {
    return false; /* ended meanwhile: lowering it fails harmlessly */
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
