#include "ops.h"

void ls_op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_RELEASE);
  ls_release_handle(e, ino, fi->fh);
  fuse_reply_err(req, 0);
}
