/* The engine process's own log lines, in the daemon's format (timestamp, level, message, key=value),
 * on stderr: the run directory's log file when the mount runs in the background. */
#ifndef LOGSHADOW_ELOG_H
#define LOGSHADOW_ELOG_H

__attribute__((format(printf, 2, 3))) void ls_elog(const char *level, const char *fmt, ...);

#endif
