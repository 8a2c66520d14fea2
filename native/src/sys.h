/*
 * The few system calls Node lacks that logshadow needs outside the native engine: mknod for the
 * fuse-native engine (which serves every operation in JavaScript), and the descriptor limit the
 * daemon raises at mount. Results are 0 or -errno, never errno.
 */
#ifndef LOGSHADOW_SYS_H
#define LOGSHADOW_SYS_H

#include <stdint.h>
#include <sys/types.h>

int ls_mknod(const char *path, mode_t mode, uint64_t dev);

/* Raises the soft and hard RLIMIT_NOFILE to the kernel's ceiling (fs.nr_open) when allowed,
 * never lowers them, and reports what they are then. */
int ls_raise_nofile(uint64_t *soft, uint64_t *hard);

#endif
