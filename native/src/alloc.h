/* Space and cache hints for the allocator, as -errno results: never an exception, never errno. */
#ifndef LOGSHADOW_ALLOC_H
#define LOGSHADOW_ALLOC_H

#include <stdint.h>

int ls_fallocate(int fd, int mode, int64_t offset, int64_t length);
/* Frees the range's blocks; the file keeps its size. */
int ls_punch_hole(int fd, int64_t offset, int64_t length);
/* Allocates the range's blocks without changing the size: space held for a coming burst. */
int ls_reserve(int fd, int64_t offset, int64_t length);
int ls_fadvise(int fd, int64_t offset, int64_t length, int advice);
/* Opens `path` under the directory `dirfd` read-only without ever following a symlink or
 * leaving the directory (openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS): a descriptor or -errno. */
int ls_open_beneath(int dirfd, const char *path);

#endif
