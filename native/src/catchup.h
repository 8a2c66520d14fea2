/*
 * Truncations that would cut off what the consumer has not read yet. The consumer reads new
 * bytes back on its tick, after they were written; logrotate's copytruncate (or `: > app.log`)
 * right after a write would leave it nothing to read, and those lines would be counted as bytes
 * but never classified. So before a truncation that discards bytes of a file the consumer may
 * hold, the consumer is asked to catch up, and the truncation waits for it as an unlink waits for
 * a file to be let go (gone.h): bounded, so a busy or absent consumer costs a delay, never a hang.
 */
#ifndef LOGSHADOW_CATCHUP_H
#define LOGSHADOW_CATCHUP_H

#include <sys/types.h>

struct ls_engine;

/* Before the file behind `fd` (any descriptor of it, O_PATH too) is cut to `size` bytes. */
void ls_before_truncate(struct ls_engine *e, int fd, off_t size);

#endif
