#include "alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

int ls_fallocate(int fd, int mode, int64_t offset, int64_t length) {
  return fallocate(fd, mode, offset, length) < 0 ? -errno : 0;
}

int ls_punch_hole(int fd, int64_t offset, int64_t length) {
  return ls_fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length);
}

int ls_reserve(int fd, int64_t offset, int64_t length) {
  return ls_fallocate(fd, FALLOC_FL_KEEP_SIZE, offset, length);
}

int ls_fadvise(int fd, int64_t offset, int64_t length, int advice) {
  /* posix_fadvise returns the error number instead of setting errno */
  return -posix_fadvise(fd, offset, length, advice);
}

int ls_open_beneath(int dirfd, const char *path) {
  struct open_how how = {
      .flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOATIME, /* reading back is no access */
      .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
  };
  long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
  return fd < 0 ? -errno : (int)fd;
}
