#include "ops.h"

#include <sys/stat.h>

void ls_op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode) {
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_MKDIR);
  struct ls_node *p = ls_node_of(e, parent);
  long r = ls_sys(mkdirat(p->fd, name, mode));
  if (r < 0)
    ls_fail(req, e, LS_OP_MKDIR, r);
  else
    ls_reply_new_entry(req, e, LS_OP_MKDIR, p, name, S_IFDIR | mode);
}
