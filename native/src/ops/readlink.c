#include "ops.h"

#include <limits.h>
#include <unistd.h>

void ls_op_readlink(fuse_req_t req, fuse_ino_t ino) {
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_READLINK);
  char buf[PATH_MAX + 1];
  long r = ls_sys(readlinkat(ls_node_of(e, ino)->fd, "", buf, sizeof(buf)));
  if (r >= (long)sizeof(buf)) r = -ENAMETOOLONG;
  if (r < 0) {
    ls_fail(req, e, LS_OP_READLINK, r);
    return;
  }
  buf[r] = 0;
  fuse_reply_readlink(req, buf);
}
