/*
 * libfuse reports through fuse_log(). While a mount is being set up its messages are captured
 * (per thread) so that a refused mount throws an Error carrying libfuse's own reason; at other
 * times errors go to stderr, and debug output only when an engine asked for it.
 */
#ifndef LOGSHADOW_LOG_H
#define LOGSHADOW_LOG_H

#include <stdbool.h>
#include <stddef.h>

void ls_log_install(void);
void ls_log_capture_begin(char *buf, size_t len);
void ls_log_capture_end(void);
void ls_log_debug(bool on);

#endif
