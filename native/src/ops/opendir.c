#include "ops.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

void ls_op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_OPENDIR);
  /* "." from the node's own descriptor: a fresh open file, with its own position */
  int fd = openat(ls_node_of(e, ino)->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    ls_fail(req, e, LS_OP_OPENDIR, -errno);
    return;
  }
  struct ls_dir *d = calloc(1, sizeof(*d));
  if (!d || !(d->dp = fdopendir(fd))) {
    int err = d ? -errno : -ENOMEM;
    free(d);
    close(fd);
    ls_fail(req, e, LS_OP_OPENDIR, err);
    return;
  }
  uint32_t id = ls_engine_new_handle(e);
  int r = ls_handles_add(&e->handles, fd, id, d, NULL);
  if (r < 0) {
    closedir(d->dp);
    free(d);
    ls_fail(req, e, LS_OP_OPENDIR, r);
    return;
  }
  fi->fh = ls_fh_make(id, fd);
  if (fuse_reply_open(req, fi) == -ENOENT) {
    ls_handles_remove(&e->handles, fd);
    closedir(d->dp);
    free(d);
  }
}
