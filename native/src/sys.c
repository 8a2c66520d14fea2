#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
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
  return sched_setscheduler(tid, idle ? SCHED_IDLE : SCHED_OTHER, &param) < 0 ? -errno : 0;
}
