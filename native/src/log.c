#define FUSE_USE_VERSION 312
#include "log.h"

#include <fuse_log.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

struct capture {
  char *buf;
  size_t len;
  size_t used;
};

static __thread struct capture *tls_capture;
static _Atomic int debug_engines;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void log_func(enum fuse_log_level level, const char *fmt, va_list ap) {
  struct capture *c = tls_capture;
  if (c && level <= FUSE_LOG_WARNING) {
    if (c->used + 1 < c->len) {
      int n = vsnprintf(c->buf + c->used, c->len - c->used, fmt, ap);
      if (n > 0) c->used += (size_t)n < c->len - c->used ? (size_t)n : c->len - c->used - 1;
    }
    return;
  }
  if (level <= FUSE_LOG_ERR || atomic_load(&debug_engines) > 0) {
    fputs("logshadow: libfuse: ", stderr);
    vfprintf(stderr, fmt, ap);
  }
}

static void install(void) { fuse_set_log_func(log_func); }

void ls_log_install(void) { pthread_once(&once, install); }

void ls_log_capture_begin(char *buf, size_t len) {
  static __thread struct capture c;
  c.buf = buf;
  c.len = len;
  c.used = 0;
  if (len) buf[0] = 0;
  tls_capture = &c;
}

void ls_log_capture_end(void) {
  struct capture *c = tls_capture;
  tls_capture = NULL;
  if (!c || !c->len) return;
  /* one line, as libfuse's messages end in newlines */
  for (char *p = c->buf; *p; p++)
    if (*p == '\n') *p = p[1] ? ' ' : 0;
}

void ls_log_debug(bool on) { atomic_fetch_add(&debug_engines, on ? 1 : -1); }
