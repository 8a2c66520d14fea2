#include "ops.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>


#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

/* fchmod() refuses O_PATH descriptors; fchmodat2 (Linux 6.6) takes them with AT_EMPTY_PATH.
 * Older kernels go through the magic link, which symlinks cannot take without being followed. */
static long chmod_node(const struct ls_node *n, mode_t mode) {
  long r = syscall(SYS_fchmodat2, n->fd, "", mode, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
  if (r == 0 || errno != ENOSYS) return ls_sys(r);
  if (n->type == S_IFLNK) return -EOPNOTSUPP;
  char proc[40];
  ls_proc_fd(proc, n->fd);
  return ls_sys(chmod(proc, mode));
}

static long truncate_node(const struct ls_node *n, off_t size) {
  if (n->type == S_IFDIR) return -EISDIR;
  if (n->type != S_IFREG) return -EINVAL;
  char proc[40];
  ls_proc_fd(proc, n->fd);
  int fd = open(proc, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return -errno;
  long r = ls_sys(ftruncate(fd, size));
  close(fd);
  return r;
}

void ls_op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int valid,
                   struct fuse_file_info *fi) {
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_SETATTR);
  struct ls_node *n = ls_node_of(e, ino);
  int fd = fi ? ls_fh_fd(fi->fh) : -1;
  /* without a handle, a node whose file is gone would change the placeholder (ls_nodes_let_go) */
  long r = fd < 0 && n->let_go ? -ENOENT : 0;

  if (valid & FUSE_SET_ATTR_MODE)
    r = fd >= 0 ? ls_sys(fchmod(fd, attr->st_mode)) : chmod_node(n, attr->st_mode);

  if (r == 0 && (valid & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID))) {
    uid_t uid = (valid & FUSE_SET_ATTR_UID) ? attr->st_uid : (uid_t)-1;
    gid_t gid = (valid & FUSE_SET_ATTR_GID) ? attr->st_gid : (gid_t)-1;
    r = fd >= 0 ? ls_sys(fchown(fd, uid, gid))
                : ls_sys(fchownat(n->fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW));
  }

  /* a tiered file is cut through its tier: the RAM copy, then the disk copy (tier/io.c) */
  struct ls_tier *tier = NULL;
  bool found = false; /* looked up here (not the node's, held by a handle): put at the end */
  if (e->tiers && n->type == S_IFREG && !n->let_go) {
    if (fd >= 0 && n->tier)
      tier = n->tier;
    else
      found = (tier = ls_tier_find(e->tiers, n->dev, n->ino)) != NULL;
  }

  if (r == 0 && (valid & FUSE_SET_ATTR_SIZE)) {
    ls_before_truncate(e, fd >= 0 ? fd : n->fd, attr->st_size);
    r = tier ? ls_tier_truncate(e->tiers, tier, (uint64_t)attr->st_size)
        : fd >= 0 ? ls_sys(ftruncate(fd, attr->st_size)) : truncate_node(n, attr->st_size);
    if (r == 0)
      ls_push_path_event(e, LS_EV_TRUNCATE, ls_path_of_fd(e, fd >= 0 ? fd : n->fd),
                         (uint64_t)attr->st_size);
  }

  if (r == 0 && (valid & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_ATIME_NOW |
                          FUSE_SET_ATTR_MTIME_NOW))) {
    struct timespec tv[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
    if (valid & FUSE_SET_ATTR_ATIME_NOW)
      tv[0].tv_nsec = UTIME_NOW;
    else if (valid & FUSE_SET_ATTR_ATIME)
      tv[0] = attr->st_atim;
    if (valid & FUSE_SET_ATTR_MTIME_NOW)
      tv[1].tv_nsec = UTIME_NOW;
    else if (valid & FUSE_SET_ATTR_MTIME)
      tv[1] = attr->st_mtim;
    r = fd >= 0 ? ls_sys(futimens(fd, tv))
                : ls_sys(utimensat(n->fd, "", tv, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW));
    /* the RAM copy's times are the ones shown while it exists (ls_tier_stat) */
    int ram = tier ? atomic_load(&tier->ram_fd) : -1;
    if (r == 0 && ram >= 0) r = ls_sys(futimens(ram, tv));
  }
  /* FUSE_SET_ATTR_CTIME (writeback cache): ctime cannot be set; the calls above moved it */

  struct stat st;
  if (r == 0)
    r = fd >= 0 ? ls_sys(fstat(fd, &st))
                : ls_sys(fstatat(n->fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW));
  if (r == 0 && tier) ls_tier_stat(tier, &st);
  if (found) ls_tier_put(e->tiers, tier);
  if (r == 0) ls_tiering_changed(e, n);
  if (r < 0)
    ls_fail(req, e, LS_OP_SETATTR, r);
  else
    fuse_reply_attr(req, &st, e->attr_timeout);
}
