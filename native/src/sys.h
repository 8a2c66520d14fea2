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

#endif
