#include "ops.h"

void ls_op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_FORGET);
  ls_nodes_forget(e, ino, nlookup);
  fuse_reply_none(req);
}

void ls_op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets) {
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_FORGET);
  for (size_t i = 0; i < count; i++) ls_nodes_forget(e, forgets[i].ino, forgets[i].nlookup);
  fuse_reply_none(req);
}
