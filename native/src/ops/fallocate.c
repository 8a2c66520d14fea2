#include "ops.h"

#include <fcntl.h>

void ls_op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
                     struct fuse_file_info *fi) {
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_FALLOCATE);
  struct ls_tier *t = ls_node_of(e, ino)->tier;
  long r = t ? ls_tier_fallocate(e->tiers, t, mode, (uint64_t)offset, (uint64_t)length)
             : ls_sys(fallocate(ls_fh_fd(fi->fh), mode, offset, length));
  ls_reply_status(req, e, LS_OP_FALLOCATE, r);
}
