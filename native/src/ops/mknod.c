#include "ops.h"

#include <sys/stat.h>

void ls_op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev) {
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_MKNOD);
  struct ls_node *p = ls_node_of(e, parent);
  long r = ls_sys(mknodat(p->fd, name, mode, rdev));
  if (r < 0)
    ls_fail(req, e, LS_OP_MKNOD, r);
  else
    ls_reply_new_entry(req, e, LS_OP_MKNOD, p, name, mode);
}
