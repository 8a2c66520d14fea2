#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>

int ls_mknod(const char *path, mode_t mode, uint64_t dev) {
  return mknod(path, mode, (dev_t)dev) < 0 ? -errno : 0;
}

int ls_raise_nofile(uint64_t *soft, uint64_t *hard) {
  struct rlimit lim;
  if (getrlimit(RLIMIT_NOFILE, &lim) < 0) return -errno;
  unsigned long long ceiling = 0;
  FILE *f = fopen("/proc/sys/fs/nr_open", "re");
  if (f) {
    if (fscanf(f, "%llu", &ceiling) != 1) ceiling = 0;
    fclose(f);
  }
  struct rlimit want = lim;
  if (ceiling > want.rlim_max) want.rlim_max = ceiling; /* needs CAP_SYS_RESOURCE */
  want.rlim_cur = want.rlim_max;
  int r = 0;
  if ((want.rlim_cur != lim.rlim_cur || want.rlim_max != lim.rlim_max) && setrlimit(RLIMIT_NOFILE, &want) < 0) {
    r = -errno;
    /* not allowed to raise the hard limit: at least the soft one up to it */
    want.rlim_max = lim.rlim_max;
    want.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &want) == 0) r = 0;
  }
  if (getrlimit(RLIMIT_NOFILE, &lim) < 0) return -errno;
  *soft = lim.rlim_cur;
  *hard = lim.rlim_max;
  return r;
}

int ls_set_idle_scheduling(pid_t tid, int idle) {
  struct sched_param param = {.sched_priority = 0};
  /* SCHED_RESET_ON_FORK: a thread or process started while this one is raised for a request
   * (nice -10, see DaemonPriority) starts at nice 0, not at the answer's weight. */
  int policy = (idle ? SCHED_IDLE : SCHED_OTHER) | SCHED_RESET_ON_FORK;
  return sched_setscheduler(tid, policy, &param) < 0 ? -errno : 0;
}

/* The policy is read, not remembered: the main thread is raised from two addons (this file is in
 * both: the engine link's raise is the engine addon's), and a flag that each raise set was two
 * flags, one of which the lowering never saw. A read is about 70 ns, the change it spares about
 * 160 (measured on this machine, already idle). */
int ls_lower_main_if_raised(void) {
  int policy = sched_getscheduler(0);
  if (policy < 0) return -errno;
  return (policy & ~SCHED_RESET_ON_FORK) == SCHED_IDLE ? 0 : ls_set_idle_scheduling(0, 1);
}

int ls_raise_from_idle(pid_t tid) {
  int policy = sched_getscheduler(tid);
  if (policy < 0) return -errno;
  return (policy & ~SCHED_RESET_ON_FORK) == SCHED_IDLE ? ls_set_idle_scheduling(tid, 0) : 0;
}

/* After raising the main thread for a waiting connection, the waker looks again this much later,
 * not at once: the connection stays readable until the event loop accepts it. */
#define LS_WAKER_PAUSE_MS 5

static struct {
  pthread_t thread;
  bool running;
  int fds[LS_WAKER_MAX_FDS];
  unsigned nfds;
  /* Written by ls_waker_stop: the thread then looks at `stop`. */
  int wake[2];
  atomic_bool stop;
  pid_t main_tid;
} waker = {.wake = {-1, -1}};

/*
 * Always watching: the main thread lowers itself whenever it likes (one system call, nothing to
 * tell anyone), and a connection that waits while it is lowered raises it within a pause. A
 * waker that stopped watching once it had raised the thread, until the thread said it was
 * lowered again, lost connections in between: the thread lowered before its event loop accepted
 * the connection it was raised for, or lost the CPU between lowering itself and saying so.
 */
static void *waker_main(void *arg) {
  (void)arg;
  /* Started from a thread that may already be lowered, whose policy it inherited. */
  ls_set_idle_scheduling(0, 0);
  struct pollfd p[1 + LS_WAKER_MAX_FDS];
  int timeout = -1;
  while (!atomic_load(&waker.stop)) {
    unsigned n = 0;
    p[n++] = (struct pollfd){.fd = waker.wake[0], .events = POLLIN};
    if (timeout < 0)
      for (unsigned i = 0; i < waker.nfds; i++) p[n++] = (struct pollfd){.fd = waker.fds[i], .events = POLLIN};
    int r = poll(p, n, timeout);
    if (r < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (p[0].revents) {
      char drain[64];
      while (read(waker.wake[0], drain, sizeof drain) > 0) {
      }
      continue; /* stop may have changed */
    }
    if (r == 0) {
      timeout = -1; /* the pause is over: watch again */
      continue;
    }
    for (unsigned i = 1; i < n; i++) {
      if (!p[i].revents) continue;
      /* POLLNVAL: a descriptor closed under it (the daemon is stopping); nothing to raise for. */
      if (p[i].revents & POLLIN) ls_raise_from_idle(waker.main_tid);
      timeout = LS_WAKER_PAUSE_MS;
      break;
    }
  }
  return NULL;
}

int ls_waker_start(const int *fds, unsigned nfds) {
  if (waker.running) return -EBUSY;
  if (nfds > LS_WAKER_MAX_FDS) return -EINVAL;
  if (pipe2(waker.wake, O_CLOEXEC | O_NONBLOCK) < 0) return -errno;
  memcpy(waker.fds, fds, nfds * sizeof *fds);
  waker.nfds = nfds;
  waker.main_tid = getpid(); /* the main thread's id is the process's */
  atomic_store(&waker.stop, false);
  int r = pthread_create(&waker.thread, NULL, waker_main, NULL);
  if (r != 0) {
    close(waker.wake[0]);
    close(waker.wake[1]);
    waker.wake[0] = waker.wake[1] = -1;
    return -r;
  }
  pthread_setname_np(waker.thread, "ls-waker");
  waker.running = true;
  return 0;
}

static void waker_poke(void) {
  /* A full pipe already holds a wake-up: EAGAIN is as good as a byte written. */
  ssize_t ignored = write(waker.wake[1], "", 1);
  (void)ignored;
}

void ls_waker_stop(void) {
  if (!waker.running) return;
  atomic_store(&waker.stop, true);
  waker_poke();
  pthread_join(waker.thread, NULL);
  close(waker.wake[0]);
  close(waker.wake[1]);
  waker.wake[0] = waker.wake[1] = -1;
  waker.running = false;
}
