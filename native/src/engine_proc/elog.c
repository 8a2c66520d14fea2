#include "elog.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

void ls_elog(const char *level, const char *fmt, ...) {
  char line[1024];
  struct timeval tv;
  gettimeofday(&tv, NULL);
  struct tm tm;
  gmtime_r(&tv.tv_sec, &tm);
  int n = (int)strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
  n += snprintf(line + n, sizeof(line) - (size_t)n, ".%03ldZ %s: engine: ", (long)(tv.tv_usec / 1000), level);
  va_list ap;
  va_start(ap, fmt);
  if (n < (int)sizeof(line)) n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
  va_end(ap);
  if (n >= (int)sizeof(line) - 1) n = (int)sizeof(line) - 2;
  line[n++] = '\n';
  /* one write: lines from the engine and from a daemon sharing the file never interleave */
  if (write(STDERR_FILENO, line, (size_t)n) < 0) {
    /* nowhere else to say it */
  }
}
