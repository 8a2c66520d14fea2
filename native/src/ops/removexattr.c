#include "ops.h"

#include <sys/xattr.h>

void ls_op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name) {
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_REMOVEXATTR);
  char path[40];
  long r = ls_xattr_path(ls_node_of(e, ino), path);
  if (r == 0) r = ls_sys(removexattr(path, name));
  ls_reply_status(req, e, LS_OP_REMOVEXATTR, r);
}
