#include "ops.h"

#include <fcntl.h>
#include <unistd.h>

void ls_op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name) {
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_RMDIR);
  ls_reply_status(req, e, LS_OP_RMDIR, ls_sys(unlinkat(ls_node_of(e, parent)->fd, name, AT_REMOVEDIR)));
}
