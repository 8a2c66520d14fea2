#include "ops.h"

#include <stdlib.h>
#include <sys/xattr.h>

void ls_op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_LISTXATTR);
  char path[40];
  char *buf = NULL;
  long r = ls_xattr_path(ls_node_of(e, ino), path);
  if (r == 0 && size > 0 && !(buf = malloc(size))) r = -ENOMEM;
  if (r == 0) r = ls_sys(listxattr(path, buf, size));
  if (r < 0)
    ls_fail(req, e, LS_OP_LISTXATTR, r);
  else if (size == 0)
    fuse_reply_xattr(req, (size_t)r);
  else
    fuse_reply_buf(req, buf, (size_t)r);
  free(buf);
}
