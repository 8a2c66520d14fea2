#include "ops.h"

void ls_op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_RELEASE);
  if (ls_fh_is_writer(fi->fh)) ls_nodes_writer(e, ino, -1);
  ls_release_handle(e, fi->fh);
  fuse_reply_err(req, 0);
}
