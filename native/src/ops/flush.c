#include "ops.h"

/* close(2) of one of possibly many descriptors: the backing descriptor stays open until release,
 * and tmpfs has nothing to flush. No locks to drop either: the kernel keeps them itself. */
void ls_op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  (void)ino;
  (void)fi;
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_FLUSH);
  fuse_reply_err(req, 0);
}
