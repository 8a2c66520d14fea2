#include "ops.h"

#include <fcntl.h>
#include <unistd.h>

void ls_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_OPEN);
  struct ls_node *n = ls_node_of(e, ino);
  char proc[40];
  ls_proc_fd(proc, n->fd);
  if (fi->flags & O_TRUNC) ls_before_truncate(e, n->fd, 0);
  int fd = open(proc, ls_backing_open_flags(e, fi->flags));
  if (fd < 0) {
    ls_fail(req, e, LS_OP_OPEN, -errno);
    return;
  }
  int r = ls_register_open(req, e, ino, fi, fd, false);
  if (r < 0) {
    close(fd);
    ls_fail(req, e, LS_OP_OPEN, r);
    return;
  }
  /* the caller is gone (interrupted): no release will ever come for this handle */
  if (fuse_reply_open(req, fi) == -ENOENT) ls_release_handle(e, ino, fi->fh);
}
