#include "ops.h"

#include <sys/stat.h>
#include <unistd.h>

void ls_op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name) {
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_SYMLINK);
  struct ls_node *p = ls_node_of(e, parent);
  long r = ls_sys(symlinkat(link, p->fd, name));
  if (r < 0)
    ls_fail(req, e, LS_OP_SYMLINK, r);
  else
    ls_reply_new_entry(req, e, LS_OP_SYMLINK, p, name, S_IFLNK | 0777);
}
