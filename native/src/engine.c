/*
 * Lifecycle: mount, the loop thread, and a shutdown that is bounded in time.
 *
 * Shutdown: umount2 (MNT_DETACH when busy), then fuse_session_exit and a wake-up of the loop
 * thread, which cancels libfuse's workers, joins them and tears everything down. libfuse's loop
 * waits for its workers on a semaphore that only a signal interrupts (that is how its own SIGINT
 * handler stops it), so the loop thread alone unblocks one otherwise unused real-time signal and
 * is sent it until it has ended. Workers are only ever cancelled while waiting for a request, so
 * a write in flight completes; the teardown then closes /dev/fuse, after which the kernel fails
 * whatever a lazily detached mount still sends (ENOTCONN) instead of leaving callers waiting.
 *
 * Nothing here ever calls umount2 on the path unless the topmost mount there is still ours, and
 * fuse_session_unmount is never used: it unmounts the path again, which after a lazy detach
 * would detach the tmpfs that logshadow shadows in place.
 */
#include "engine.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "mountinfo.h"
#include "ops/ops.h"
#include "tiering.h"

#define LS_INIT_TIMEOUT_MS 10000
#define LS_STOP_TIMEOUT_MS 5000
#define LS_WAKE_INTERVAL_MS 20
#define LS_BUSY_RETRIES 10
#define LS_BUSY_RETRY_MS 20


static pthread_once_t process_once = PTHREAD_ONCE_INIT;
static int wake_signal; /* 0: none free; the stop then relies on the connection ending */
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ls_engine *live_engines;

static void on_wake(int sig) { (void)sig; }

/* At exit, detach what is still mounted: a process that ends with a live FUSE mount leaves a
 * dead one behind ("Transport endpoint is not connected") over the shadowed directory. */
static void detach_at_exit(void) {
  pthread_mutex_lock(&live_lock);
  for (struct ls_engine *e = live_engines; e; e = e->next_live) {
    char dev[32], fstype[64];
    if (!e->loop_done && ls_mountinfo_top(e->mountpoint, dev, sizeof(dev), fstype, sizeof(fstype)) == 0 &&
        strcmp(dev, e->mount_dev) == 0)
      umount2(e->mountpoint, MNT_DETACH | UMOUNT_NOFOLLOW);
  }
  pthread_mutex_unlock(&live_lock);
}

static void process_init(void) {
  ls_log_install();
  /* a real-time signal nobody has claimed; glibc keeps the lowest ones for itself */
  for (int sig = SIGRTMAX - 1; sig >= SIGRTMIN + 2; sig--) {
    struct sigaction old;
    if (sigaction(sig, NULL, &old) != 0) continue;
    if ((old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL) continue;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_wake;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: the point is to interrupt sem_wait */
    if (sigaction(sig, &sa, NULL) == 0) {
      wake_signal = sig;
      break;
    }
  }
  atexit(detach_at_exit);
}

static struct timespec deadline_in(long ms) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  t.tv_sec += ms / 1000;
  t.tv_nsec += (ms % 1000) * 1000000L;
  if (t.tv_nsec >= 1000000000L) {
    t.tv_sec++;
    t.tv_nsec -= 1000000000L;
  }
  return t;
}

static bool passed(const struct timespec *t) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

void ls_engine_ref(struct ls_engine *e) { atomic_fetch_add(&e->refs, 1); }

static void engine_free(struct ls_engine *e) {
  pthread_mutex_lock(&live_lock);
  for (struct ls_engine **p = &live_engines; *p; p = &(*p)->next_live)
    if (*p == e) {
      *p = e->next_live;
      break;
    }
  pthread_mutex_unlock(&live_lock);
  if (e->debug) ls_log_debug(false);
  if (e->tiers) {
    ls_tiers_close(e->tiers, 0); /* unmount made the final sync; this only stops the thread */
    int ram_dir = e->tiers->o.ram_dir_fd;
    ls_tiers_destroy(e->tiers);
    if (ram_dir >= 0) close(ram_dir);
    free(e->tiers);
  }
  ls_tiering_free_patterns(e->direct_patterns);
  ls_park_destroy(&e->park);
  ls_evq_destroy(&e->events);
  ls_shared_unmap(&e->shared);
  if (e->done_fd >= 0) close(e->done_fd);
  ls_handles_destroy(&e->handles);
  if (e->root_fd >= 0) close(e->root_fd);
  free(e->mountpoint);
  free(e->root_prefix);
  pthread_cond_destroy(&e->cond);
  pthread_mutex_destroy(&e->lock);
  ls_gone_destroy(e);
  free(e);
}

void ls_engine_unref(struct ls_engine *e) {
  if (atomic_fetch_sub(&e->refs, 1) == 1) engine_free(e);
}

uint32_t ls_engine_new_handle(struct ls_engine *e) {
  uint32_t id = atomic_fetch_add_explicit(&e->next_handle, 1, memory_order_relaxed);
  return id ? id : atomic_fetch_add_explicit(&e->next_handle, 1, memory_order_relaxed);
}

static void report_release(void *ctx, uint32_t id) {
  struct ls_engine *e = ctx;
  struct ls_event ev = {.kind = LS_EV_RELEASE, .handle = id, .read_fd = -1, .disk_fd = -1};
  ls_evq_push(&e->events, &ev);
}

/* On the loop thread once no worker is left: nothing can touch these any more. The ring, the
 * counters and the event queue stay: the daemon may still hold and drain them. */
static void teardown(struct ls_engine *e) {
  pthread_mutex_lock(&e->lock);
  struct fuse_session *se = e->se;
  e->se = NULL;
  pthread_mutex_unlock(&e->lock);
  /* writes still waiting for room are made now, room or not: nothing will resume them later */
  pthread_mutex_lock(&e->park.lock);
  e->park.force = true;
  pthread_mutex_unlock(&e->park.lock);
  ls_park_resume(e);
  fuse_session_destroy(se); /* closes /dev/fuse */
  ls_handles_close_all(&e->handles, report_release, e);
  ls_nodes_destroy(&e->nodes);
  close(e->root_fd);
  e->root_fd = -1;
}

static void *loop_main(void *arg) {
  struct ls_engine *e = arg;
  if (wake_signal) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, wake_signal);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
  }
  /* Our own umask for the loop thread and the workers it starts, without touching Node's:
   * the kernel has already applied the caller's umask to every mode we receive. */
  if (unshare(CLONE_FS) == 0)
    umask(0);
  else
    fprintf(stderr, "logshadow: unshare(CLONE_FS) failed (%s): the process umask applies\n",
            strerror(errno));

  struct fuse_loop_config *cfg = fuse_loop_cfg_create();
  if (cfg) {
    fuse_loop_cfg_set_clone_fd(cfg, 0);
    fuse_session_loop_mt(e->se, cfg);
    fuse_loop_cfg_destroy(cfg);
  }
  teardown(e);

  pthread_mutex_lock(&e->lock);
  e->loop_done = true;
  pthread_cond_broadcast(&e->cond);
  pthread_mutex_unlock(&e->lock);
  uint64_t one = 1;
  if (write(e->done_fd, &one, sizeof(one)) < 0) {
    /* an eventfd write fails only on overflow, which one write a lifetime cannot reach */
  }
  ls_engine_unref(e);
  return NULL;
}

static bool mount_is_ours(struct ls_engine *e) {
  char dev[32], fstype[64];
  return e->mount_dev[0] && ls_mountinfo_top(e->mountpoint, dev, sizeof(dev), fstype, sizeof(fstype)) == 0 &&
         strcmp(dev, e->mount_dev) == 0;
}

/* Ends the loop, waiting at most LS_STOP_TIMEOUT_MS; true when it has ended. */
static bool stop_loop(struct ls_engine *e) {
  struct timespec deadline = deadline_in(LS_STOP_TIMEOUT_MS);
  pthread_mutex_lock(&e->lock);
  if (e->se) fuse_session_exit(e->se);
  while (!e->loop_done && !passed(&deadline)) {
    /* repeated: a signal that lands between libfuse's check and its sem_wait is lost */
    if (wake_signal) pthread_kill(e->loop_thread, wake_signal);
    struct timespec t = deadline_in(LS_WAKE_INTERVAL_MS);
    pthread_cond_timedwait(&e->cond, &e->lock, &t);
  }
  bool done = e->loop_done;
  bool settle = !e->thread_settled;
  e->thread_settled = true;
  pthread_mutex_unlock(&e->lock);
  if (settle) {
    if (done)
      pthread_join(e->loop_thread, NULL);
    else
      pthread_detach(e->loop_thread); /* it frees its share itself when it ends */
  }
  return done;
}

void ls_engine_unmount(struct ls_engine *e, struct ls_unmount_result *res) {
  pthread_mutex_lock(&e->lock);
  while (e->unmount_state == LS_UNMOUNT_RUNNING) pthread_cond_wait(&e->cond, &e->lock);
  if (e->unmount_state == LS_UNMOUNT_DONE) {
    *res = e->unmount_result;
    pthread_mutex_unlock(&e->lock);
    return;
  }
  e->unmount_state = LS_UNMOUNT_RUNNING;
  pthread_mutex_unlock(&e->lock);

  struct ls_unmount_result r = {0};
  r.was_mounted = mount_is_ours(e);
  if (r.was_mounted) {
    /* EBUSY also comes from a reference held for an instant (someone's stat or statfs of the
     * mountpoint): a short grace before settling for a lazy detach */
    int rc = -1;
    for (int attempt = 0; attempt < LS_BUSY_RETRIES; attempt++) {
      if ((rc = umount2(e->mountpoint, UMOUNT_NOFOLLOW)) == 0 || errno != EBUSY) break;
      usleep(LS_BUSY_RETRY_MS * 1000);
    }
    if (rc != 0) {
      if (errno == EBUSY && umount2(e->mountpoint, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
        r.lazy = true;
      else
        r.error = errno;
    }
  }
  r.stopped = stop_loop(e);
  /* the final sync, once no request can add to the tails: bounded, and what it cannot sync stays
   * in the RAM directory for the next mount (or `logshadow recover`) */
  if (e->tiers) {
    r.unsynced_left = ls_tiers_close(e->tiers, e->final_sync_ms);
    if (r.stopped) ls_tiers_release(e->tiers);
  }

  pthread_mutex_lock(&e->lock);
  e->unmount_result = r;
  e->unmount_state = LS_UNMOUNT_DONE;
  pthread_cond_broadcast(&e->cond);
  pthread_mutex_unlock(&e->lock);
  *res = r;
}

static int fail(char *err, size_t errlen, int code, const char *fmt, const char *detail) {
  snprintf(err, errlen, fmt, detail);
  return code;
}

/* A tiered mount: the disk directory is the backing directory, the tails go to the RAM
 * directory. RAM copies a previous process left are adopted before anything is served. */
static int open_tiers(struct ls_engine *e, const struct ls_mount_options *o, char *err, size_t errlen) {
  e->final_sync_ms = o->final_sync_ms;
  if (o->direct_patterns && !(e->direct_patterns = ls_tiering_parse_patterns(o->direct_patterns)))
    return fail(err, errlen, -ENOMEM, "%s", "out of memory");
  struct ls_tier_options to = {
      .disk_root_fd = e->root_fd,
      .ram_dir_fd = fcntl(o->ram_dir_fd, F_DUPFD_CLOEXEC, 0),
      .max_unsynced = o->max_unsynced,
      .interval_ms = o->sync_interval_ms,
      .disk_reserve = o->disk_reserve,
  };
  if (to.ram_dir_fd < 0) return fail(err, errlen, -errno, "the RAM directory: %s", strerror(errno));
  struct ls_tiers *ts = calloc(1, sizeof(*ts));
  int r = ts ? ls_tiers_open(ts, &to, err, errlen) : fail(err, errlen, -ENOMEM, "%s", "out of memory");
  if (r < 0) {
    close(to.ram_dir_fd);
    free(ts);
    return r;
  }
  ls_tiers_on_space(ts, ls_park_resume, e);
  e->tiers = ts;
  return 0;
}

static int start_loop_thread(struct ls_engine *e) {
  /* The loop thread and libfuse's workers take no process signals: Node's handlers stay on
   * Node's threads. The loop thread opens only the wake signal for itself. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  ls_engine_ref(e);
  int r = pthread_create(&e->loop_thread, NULL, loop_main, e);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (r != 0) ls_engine_unref(e);
  return -r;
}

int ls_engine_mount(const struct ls_mount_options *o, struct ls_engine **out, char *err,
                    size_t errlen) {
  pthread_once(&process_once, process_init);
  *out = NULL;
  struct ls_engine *e = calloc(1, sizeof(*e));
  if (!e) return fail(err, errlen, -ENOMEM, "%s", "out of memory");
  atomic_init(&e->refs, 1);
  atomic_init(&e->next_handle, 1);
  e->root_fd = -1;
  e->shared.fd = -1;
  e->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  e->writeback_wanted = o->writeback;
  e->max_write_wanted = o->max_write;
  e->debug = o->debug;
  e->xattr = o->xattr;
  if (e->debug) ls_log_debug(true);
  e->entry_timeout = e->attr_timeout = e->negative_timeout = 1.0;
  pthread_mutex_init(&e->lock, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&e->cond, &ca);
  pthread_condattr_destroy(&ca);
  ls_gone_init(e);
  /* the parts engine_free releases unconditionally */
  int r = e->done_fd < 0 ? -errno : ls_shared_create(&e->shared, sizeof(struct ls_counters), o->ring_capacity);
  if (r == 0) {
    e->counters = ls_shared_counters(&e->shared);
    r = ls_ring_init_at(&e->ring, ls_shared_ring(&e->shared), o->ring_capacity);
  }
  if (r == 0) r = ls_evq_init(&e->events, LS_EVENTS_DEFAULT_CAPACITY, &e->ring.hdr->head, &e->counters->file_events_dropped,
                                &e->counters->file_events_queued);
  if (r == 0) r = ls_handles_init(&e->handles);
  if (r == 0) r = ls_park_init(&e->park);
  if (r < 0) {
    engine_free(e);
    return fail(err, errlen, r, "cannot set up the engine: %s", strerror(-r));
  }

  /* Canonical, as /proc/self/mountinfo shows it. A path that cannot be resolved goes to libfuse
   * as given, so that the refusal carries libfuse's own reason. */
  e->mountpoint = realpath(o->mountpoint, NULL);
  if (!e->mountpoint) e->mountpoint = strdup(o->mountpoint);
  if (!e->mountpoint) {
    engine_free(e);
    return fail(err, errlen, -ENOMEM, "%s", "out of memory");
  }
  e->root_fd = openat(o->backing_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (e->root_fd < 0) {
    r = -errno;
    engine_free(e);
    return fail(err, errlen, r, "backingFd is not an open directory: %s", strerror(-r));
  }
  char proc[40];
  ls_proc_fd(proc, e->root_fd);
  e->root_prefix = calloc(1, PATH_MAX + 1);
  if (!e->root_prefix || readlink(proc, e->root_prefix, PATH_MAX) < 0) {
    r = e->root_prefix ? -errno : -ENOMEM;
    engine_free(e);
    return fail(err, errlen, r, "cannot read the backing directory's path: %s", strerror(-r));
  }
  e->root_prefix_len = strcmp(e->root_prefix, "/") == 0 ? 0 : strlen(e->root_prefix);
  r = ls_nodes_init(&e->nodes, e->root_fd);
  if (r < 0) {
    engine_free(e);
    return fail(err, errlen, r, "backing directory: %s", strerror(-r));
  }
  if (o->ram_dir_fd >= 0) {
    r = open_tiers(e, o, err, errlen);
    if (r < 0) {
      ls_nodes_destroy(&e->nodes);
      engine_free(e);
      return r;
    }
  }

  char opts[256];
  snprintf(opts, sizeof(opts), "allow_other,default_permissions,fsname=%s,subtype=%s",
           o->fsname ? o->fsname : "logshadow", o->subtype ? o->subtype : "logshadow");
  char *argv[] = {"logshadow", "-o", opts, "-d", NULL};
  struct fuse_args args = FUSE_ARGS_INIT(o->debug ? 4 : 3, argv);
  char reason[512];
  ls_log_capture_begin(reason, sizeof(reason));
  const struct fuse_lowlevel_ops *ops = e->tiers ? (o->xattr ? &ls_ops_tiered_xattr : &ls_ops_tiered)
                                                 : (o->xattr ? &ls_ops_xattr : &ls_ops);
  struct fuse_session *se = fuse_session_new(&args, ops, sizeof(*ops), e);
  int mounted = se ? fuse_session_mount(se, e->mountpoint) : -1;
  ls_log_capture_end();
  fuse_opt_free_args(&args);
  if (!se || mounted != 0) {
    if (se) fuse_session_destroy(se);
    ls_nodes_destroy(&e->nodes);
    engine_free(e);
    return fail(err, errlen, -EIO, "libfuse refused the mount: %s",
                reason[0] ? reason : "(no reason given)");
  }
  e->se = se;
  /* Unmounting later checks that the topmost mount is still this one; a mount we cannot find
   * now could never be unmounted safely. The path still leads to it this instant. */
  char fstype[64], expected[80];
  snprintf(expected, sizeof(expected), "fuse.%s", o->subtype ? o->subtype : "logshadow");
  bool found = ls_mountinfo_top(e->mountpoint, e->mount_dev, sizeof(e->mount_dev), fstype,
                                sizeof(fstype)) == 0 &&
               strcmp(fstype, expected) == 0;
  r = found ? start_loop_thread(e) : -ENOENT;
  if (r < 0) {
    umount2(e->mountpoint, MNT_DETACH | UMOUNT_NOFOLLOW);
    fuse_session_destroy(se);
    ls_nodes_destroy(&e->nodes);
    engine_free(e);
    return fail(err, errlen, r,
                found ? "cannot start the loop thread: %s" : "the new mount is not in /proc/self/mountinfo%s",
                found ? strerror(-r) : "");
  }

  struct timespec deadline = deadline_in(LS_INIT_TIMEOUT_MS);
  pthread_mutex_lock(&e->lock);
  while (!e->init_done && !e->loop_done && !passed(&deadline))
    pthread_cond_timedwait(&e->cond, &e->lock, &deadline);
  bool ready = e->init_done && !e->loop_done;
  pthread_mutex_unlock(&e->lock);
  const char *why = !ready ? "the kernel did not complete FUSE_INIT"
                    : e->writeback_wanted && !e->writeback
                        ? "this kernel does not offer the writeback cache"
                        : NULL;
  if (why) {
    struct ls_unmount_result res;
    ls_engine_unmount(e, &res);
    ls_engine_unref(e);
    return fail(err, errlen, -EIO, "%s", why);
  }

  pthread_mutex_lock(&live_lock);
  e->next_live = live_engines;
  live_engines = e;
  pthread_mutex_unlock(&live_lock);
  *out = e;
  return 0;
}
