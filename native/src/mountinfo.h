/*
 * Which mount is on top at a path, read from /proc/self/mountinfo without touching the path
 * itself (the process serving a FUSE mount must never call into it). Unmounting checks that the
 * topmost mount is still ours: logshadow shadows a directory in place, and a umount2 of the path
 * after someone else unmounted us would detach the tmpfs underneath instead.
 */
#ifndef LOGSHADOW_MOUNTINFO_H
#define LOGSHADOW_MOUNTINFO_H

#include <stddef.h>

/* 0 with dev ("major:minor") and fstype filled, -ENOENT when nothing is mounted there. */
int ls_mountinfo_top(const char *path, char *dev, size_t devlen, char *fstype, size_t fslen);

#endif
