/* A descriptor's path below a directory, from the kernel's own view of it (/proc/self/fd/N). */
#ifndef LOGSHADOW_PATH_BELOW_H
#define LOGSHADOW_PATH_BELOW_H

#include <stddef.h>

/* "/" plus the path below `root` (root_len bytes; 0 when root is "/") of the file behind fd;
 * malloc'd, NULL without memory. A file outside root is named as the kernel shows it. */
char *ls_path_below(const char *root, size_t root_len, int fd);

#endif
