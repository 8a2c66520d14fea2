#include "ops.h"

#include <sys/statvfs.h>

/* The backing tmpfs's own numbers: logshadow adds no space of its own. */
void ls_op_statfs(fuse_req_t req, fuse_ino_t ino) {
  (void)ino;
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_STATFS);
  struct statvfs sv;
  long r = ls_sys(fstatvfs(e->root_fd, &sv));
  if (r < 0)
    ls_fail(req, e, LS_OP_STATFS, r);
  else
    fuse_reply_statfs(req, &sv);
}
