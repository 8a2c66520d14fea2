#include "ops.h"


#include <fcntl.h>
#include <unistd.h>

void ls_op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname) {
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_LINK);
  struct ls_node *np = ls_node_of(e, newparent);
  /* AT_EMPTY_PATH links the node's inode itself (root has the CAP_DAC_READ_SEARCH it needs) */
  long r = ls_sys(linkat(ls_node_of(e, ino)->fd, "", np->fd, newname, AT_EMPTY_PATH));
  struct fuse_entry_param ep;
  if (r == 0) ls_tiering_changed(e, np);
  if (r == 0) r = ls_nodes_lookup(e, np, newname, &ep);
  if (r < 0) {
    ls_fail(req, e, LS_OP_LINK, r);
    return;
  }
  if (fuse_reply_entry(req, &ep) == -ENOENT) ls_nodes_forget(e, ep.ino, 1);
}
