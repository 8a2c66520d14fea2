#include "ops.h"

#include <fcntl.h>
#include <unistd.h>

/* Opens parent/name, creating it when it is not there, and says which happened: the open event
 * reports `created`, and only a created file is handed to the caller's ownership. */
static int open_or_create(int parent_fd, const char *name, int flags, mode_t mode, bool exclusive,
                          bool *created) {
  for (int attempt = 0; attempt < 4; attempt++) {
    int fd = openat(parent_fd, name, flags | O_CREAT | O_EXCL, mode);
    if (fd >= 0) {
      *created = true;
      return fd;
    }
    if (errno != EEXIST || exclusive) return -errno;
    fd = openat(parent_fd, name, flags);
    if (fd >= 0) {
      *created = false;
      return fd;
    }
    if (errno != ENOENT) return -errno;
    /* removed between the two calls: try again */
  }
  return -EAGAIN;
}

void ls_op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
                  struct fuse_file_info *fi) {
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_CREATE);
  struct ls_node *p = ls_node_of(e, parent);
  bool created = false;
  /* O_NOFOLLOW: a symlink at the name is refused, never followed */
  int fd = open_or_create(p->fd, name, ls_backing_open_flags(e, fi->flags) | O_NOFOLLOW, mode,
                          (fi->flags & O_EXCL) != 0, &created);
  if (fd < 0) {
    ls_fail(req, e, LS_OP_CREATE, fd);
    return;
  }
  int r = created ? ls_take_ownership(req, p->fd, fd, mode, true) : 0;
  int node_fd = -1;
  if (r == 0) {
    char proc[40];
    ls_proc_fd(proc, fd);
    node_fd = open(proc, O_PATH | O_CLOEXEC);
    if (node_fd < 0) r = -errno;
  }
  struct fuse_entry_param ep;
  if (r == 0) r = ls_nodes_adopt(e, node_fd, &ep);
  if (r < 0) {
    close(fd);
    if (created) unlinkat(p->fd, name, 0);
    ls_fail(req, e, LS_OP_CREATE, r);
    return;
  }
  r = ls_register_open(req, e, ep.ino, fi, fd, created);
  if (r < 0) {
    close(fd);
    if (created) unlinkat(p->fd, name, 0); /* the caller is told it failed: no file appears */
    ls_nodes_forget(e, ep.ino, 1);
    ls_fail(req, e, LS_OP_CREATE, r);
    return;
  }
  if (fuse_reply_create(req, &ep, fi) == -ENOENT) {
    ls_release_handle(e, ep.ino, fi->fh);
    ls_nodes_forget(e, ep.ino, 1);
  }
}
