#include "ops.h"

void ls_op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name) {
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_LOOKUP);
  struct fuse_entry_param ep;
  int r = ls_nodes_lookup(e, ls_node_of(e, parent), name, &ep);
  if (r == -ENOENT) {
    /* a negative entry, cached by the kernel like any other */
    ls_entry_init(e, &ep);
    ep.entry_timeout = e->negative_timeout;
    fuse_reply_entry(req, &ep);
    return;
  }
  if (r < 0) {
    ls_fail(req, e, LS_OP_LOOKUP, r);
    return;
  }
  /* an interrupted request never gave the kernel its reference */
  if (fuse_reply_entry(req, &ep) == -ENOENT) ls_nodes_forget(e, ep.ino, 1);
}
