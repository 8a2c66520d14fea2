#include "ops.h"

#include <fcntl.h>
#include <unistd.h>


void ls_op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name) {
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_RMDIR);
  struct ls_node *p = ls_node_of(e, parent);
  long r = ls_sys(unlinkat(p->fd, name, AT_REMOVEDIR));
  if (r == 0) ls_tiering_changed(e, p);
  ls_reply_status(req, e, LS_OP_RMDIR, r);
}
