/*
 * The few system calls Node lacks that logshadow needs outside the native engine: mknod for the
 * fuse-native engine (which serves every operation in JavaScript), the descriptor limit the
 * daemon raises at mount, and the scheduling policy that keeps the daemon out of the writers' way. Results are 0 or -errno, never errno.
 */
#ifndef LOGSHADOW_SYS_H
#define LOGSHADOW_SYS_H

#include <stdint.h>
#include <sys/types.h>

int ls_mknod(const char *path, mode_t mode, uint64_t dev);

/* Raises the soft and hard RLIMIT_NOFILE to the kernel's ceiling (fs.nr_open) when allowed,
 * never lowers them, and reports what they are then. */
int ls_raise_nofile(uint64_t *soft, uint64_t *hard);

/* Puts thread `tid` (0: the caller) under SCHED_IDLE, where it runs only on a CPU that nothing
 * else wants and is preempted at once by any other thread that wakes there, or back under
 * SCHED_OTHER (leaving its nice value as it was). */
int ls_set_idle_scheduling(pid_t tid, int idle);
/* From the main thread: SCHED_IDLE again if it is not under it (anything may have raised it),
 * else nothing but a read of its policy: the daemon settles before every slice. 0 or -errno. */
int ls_lower_main_if_raised(void);

/* Thread `tid` back under SCHED_OTHER if it is under SCHED_IDLE now; 0 or -errno. For a thread
 * that hands the main thread work someone waits for. */
int ls_raise_from_idle(pid_t tid);

/*
 * The waker: one thread per process, at normal priority and named "ls-waker", that raises the
 * process's main thread out of SCHED_IDLE (ls_raise_from_idle) as soon as one of the watched
 * descriptors is readable: a listening socket with a connection waiting. Under SCHED_IDLE the
 * main thread may not run for seconds while other threads hold every CPU, and a request must not
 * wait that long before the code that would raise it even runs. It always watches (after a raise
 * it looks again a few milliseconds later, while the connection waits to be accepted): the main
 * thread lowers itself without telling it. Results are 0 or -errno; `fds` stay the caller's (it
 * stops the waker before closing them).
 */
#define LS_WAKER_MAX_FDS 4
int ls_waker_start(const int *fds, unsigned nfds);
void ls_waker_stop(void);

#endif
