/*
 * logshadow-engine: the native engine's process. It mounts, serves every FUSE operation on
 * libfuse's threads, and never runs JavaScript, so that nothing that can fail in the daemon
 * (the profiler, the models, memory growth, a kill) can cut the applications off: the daemon
 * attaches to it over the link (server.c) and may come and go; the engine restarts it
 * (supervisor.c). Started by the daemon (src/engine/native/engine-process.ts), which hands it the
 * backing directory (and a tiered mount's RAM directory) as open descriptors.
 *
 *   logshadow-engine --mountpoint DIR --backing-fd N --socket PATH [--ready-fd N] [--pid-file PATH]
 *     [--cache writethrough|writeback] [--max-write BYTES] [--ring-capacity SLOTS] [--xattr] [--debug]
 *     [--ram-dir-fd N --ram-dir PATH [--max-unsynced BYTES] [--sync-interval-ms MS]
 *      [--final-sync-ms MS] [--no-disk-reserve] [--direct-patterns LINES]]
 *     [--term-grace-ms MS] [--daemon-log PATH] [-- DAEMON COMMAND...]
 *
 * Exit status: 0 once unmounted, 1 when the mount could not be made (the reason on --ready-fd
 * and stderr), 2 for bad arguments.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../engine.h"
#include "elog.h"
#include "server.h"
#include "supervisor.h"

void ls_engine_ready(int ready_fd, int err, const char *fmt, ...) {
  char msg[900], line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  if (err) {
    const char *name = strerrorname_np(-err);
    snprintf(line, sizeof(line), "error %s %s\n", name ? name : "EIO", msg);
    /* whoever waits on ready_fd reports it, once */
    if (ready_fd < 0) ls_elog("error", "%s", msg);
  } else {
    snprintf(line, sizeof(line), "ready\n");
  }
  if (ready_fd < 0) return;
  if (write(ready_fd, line, strlen(line)) < 0) {
    /* whoever started us is gone: nothing to tell */
  }
  close(ready_fd);
}

static int parse_fd(const char *s) {
  char *end;
  long v = strtol(s, &end, 10);
  return *s && !*end && v >= 0 && v <= INT_MAX ? (int)v : -1;
}

static bool parse_u64(const char *s, uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (!*s || *end || errno || *s == '-') return false;
  *out = v;
  return true;
}

static int usage(const char *why) {
  fprintf(stderr, "logshadow-engine: %s (it is started by logshadow mount, not by hand)\n", why);
  return 2;
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void write_pid_file(const char *path) {
  char tmp[PATH_MAX], pid[32];
  snprintf(tmp, sizeof(tmp), "%s.tmp", path);
  snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
  /* an explicit mode: the engine runs with the daemon's umask, 0 */
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  bool ok = fd >= 0 && write(fd, pid, strlen(pid)) == (ssize_t)strlen(pid);
  if (fd >= 0 && close(fd) != 0) ok = false;
  if (!ok || rename(tmp, path) != 0) ls_elog("warn", "cannot write the pid file %s: %s", path, strerror(errno));
}

int main(int argc, char **argv) {
  enum {
    OPT_MOUNTPOINT = 256, OPT_BACKING_FD, OPT_SOCKET, OPT_READY_FD, OPT_PID_FILE, OPT_CACHE, OPT_MAX_WRITE, OPT_RING, OPT_XATTR,
    OPT_DEBUG, OPT_RAM_DIR_FD, OPT_RAM_DIR, OPT_MAX_UNSYNCED, OPT_SYNC_INTERVAL, OPT_FINAL_SYNC, OPT_NO_DISK_RESERVE, OPT_DIRECT,
    OPT_TERM_GRACE, OPT_DAEMON_LOG,
  };
  static const struct option opts[] = {
      {"mountpoint", required_argument, NULL, OPT_MOUNTPOINT}, {"backing-fd", required_argument, NULL, OPT_BACKING_FD},
      {"socket", required_argument, NULL, OPT_SOCKET},         {"ready-fd", required_argument, NULL, OPT_READY_FD},
      {"pid-file", required_argument, NULL, OPT_PID_FILE},     {"cache", required_argument, NULL, OPT_CACHE},
      {"max-write", required_argument, NULL, OPT_MAX_WRITE},   {"ring-capacity", required_argument, NULL, OPT_RING},
      {"xattr", no_argument, NULL, OPT_XATTR},                 {"debug", no_argument, NULL, OPT_DEBUG},
      {"ram-dir-fd", required_argument, NULL, OPT_RAM_DIR_FD}, {"ram-dir", required_argument, NULL, OPT_RAM_DIR},
      {"max-unsynced", required_argument, NULL, OPT_MAX_UNSYNCED},
      {"sync-interval-ms", required_argument, NULL, OPT_SYNC_INTERVAL},
      {"final-sync-ms", required_argument, NULL, OPT_FINAL_SYNC},
      {"no-disk-reserve", no_argument, NULL, OPT_NO_DISK_RESERVE},
      {"direct-patterns", required_argument, NULL, OPT_DIRECT}, {"term-grace-ms", required_argument, NULL, OPT_TERM_GRACE},
      {"daemon-log", required_argument, NULL, OPT_DAEMON_LOG},  {NULL, 0, NULL, 0},
  };
  struct ls_mount_options mo = {
      .backing_fd = -1, .max_write = 1u << 20, .ring_capacity = LS_RING_DEFAULT_CAPACITY, .ram_dir_fd = -1,
      .max_unsynced = 64ull << 20, .sync_interval_ms = 300000, .final_sync_ms = 30000, .disk_reserve = true,
      .fsname = "logshadow", .subtype = "logshadow",
  };
  struct ls_server_options so = {.ram_dir_fd = -1, .ready_fd = -1, .term_grace_ms = -1};
  const char *daemon_log = NULL;
  uint64_t v;
  int c;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case OPT_MOUNTPOINT: mo.mountpoint = optarg; break;
    case OPT_BACKING_FD: if ((mo.backing_fd = parse_fd(optarg)) < 0) return usage("--backing-fd takes a descriptor"); break;
    case OPT_SOCKET: so.socket_path = optarg; break;
    case OPT_READY_FD: if ((so.ready_fd = parse_fd(optarg)) < 0) return usage("--ready-fd takes a descriptor"); break;
    case OPT_PID_FILE: so.pid_file = optarg; break;
    case OPT_CACHE:
      if (strcmp(optarg, "writeback") != 0 && strcmp(optarg, "writethrough") != 0)
        return usage("--cache is writethrough or writeback");
      mo.writeback = strcmp(optarg, "writeback") == 0;
      break;
    case OPT_MAX_WRITE:
      if (!parse_u64(optarg, &v) || v < 4096 || v > UINT32_MAX) return usage("--max-write takes bytes, at least 4096");
      mo.max_write = (unsigned)v;
      break;
    case OPT_RING:
      if (!parse_u64(optarg, &v) || v > LS_RING_MAX_CAPACITY) return usage("--ring-capacity takes a power of two");
      mo.ring_capacity = (uint32_t)v;
      break;
    case OPT_XATTR: mo.xattr = true; break;
    case OPT_DEBUG: mo.debug = true; break;
    case OPT_RAM_DIR_FD: if ((mo.ram_dir_fd = parse_fd(optarg)) < 0) return usage("--ram-dir-fd takes a descriptor"); break;
    case OPT_RAM_DIR: so.ram_dir = optarg; break;
    case OPT_MAX_UNSYNCED: if (!parse_u64(optarg, &mo.max_unsynced) || !mo.max_unsynced) return usage("--max-unsynced takes bytes"); break;
    case OPT_SYNC_INTERVAL: if (!parse_u64(optarg, &mo.sync_interval_ms) || !mo.sync_interval_ms) return usage("--sync-interval-ms takes ms"); break;
    case OPT_FINAL_SYNC: if (!parse_u64(optarg, &mo.final_sync_ms)) return usage("--final-sync-ms takes ms"); break;
    case OPT_NO_DISK_RESERVE: mo.disk_reserve = false; break;
    case OPT_DIRECT: mo.direct_patterns = optarg; break;
    case OPT_TERM_GRACE: if (!parse_u64(optarg, &v)) return usage("--term-grace-ms takes ms"); so.term_grace_ms = (double)v; break;
    case OPT_DAEMON_LOG: daemon_log = optarg; break;
    default: return usage("unknown option");
    }
  }
  if (!mo.mountpoint || mo.backing_fd < 0 || !so.socket_path) return usage("--mountpoint, --backing-fd and --socket are required");
  /* the final sync, then the grace a daemon gets for the rest of its teardown */
  if (so.term_grace_ms < 0) so.term_grace_ms = (double)mo.final_sync_ms + 15000.0;
  so.backing_fd = mo.backing_fd;
  so.ram_dir_fd = mo.ram_dir_fd;
  /* inherited without close-on-exec; a daemon the supervisor starts must not hold them (a RAM
   * directory held open could not be unmounted) */
  int inherited[] = {mo.backing_fd, mo.ram_dir_fd, so.ready_fd};
  for (size_t i = 0; i < sizeof(inherited) / sizeof(*inherited); i++)
    if (inherited[i] >= 0 && fcntl(inherited[i], F_SETFD, FD_CLOEXEC) != 0)
      return usage("a descriptor given on the command line is not open");

  /* before any thread exists, so that every thread inherits it: the server reads these from a
   * signalfd, and libfuse's threads never see them */
  signal(SIGPIPE, SIG_IGN);
  sigset_t set;
  ls_server_signals(&set);
  sigprocmask(SIG_BLOCK, &set, NULL);

  struct ls_engine *e;
  char err[768];
  int r = ls_engine_mount(&mo, &e, err, sizeof(err));
  if (r < 0) {
    ls_engine_ready(so.ready_fd, r, "%s", err);
    return 1;
  }
  if (so.pid_file) write_pid_file(so.pid_file);
  struct ls_supervisor sup;
  ls_sup_init(&sup, optind < argc ? &argv[optind] : NULL, daemon_log, now_ms());
  int status = ls_server_run(e, &so, &sup);
  ls_engine_unref(e);
  return status;
}
