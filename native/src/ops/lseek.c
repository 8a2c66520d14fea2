#include "ops.h"

#include <unistd.h>

/* Only SEEK_DATA and SEEK_HOLE reach here; the kernel keeps file positions itself. */
void ls_op_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence, struct fuse_file_info *fi) {
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_LSEEK);
  struct ls_tier *t = ls_node_of(e, ino)->tier;
  int64_t r = t ? ls_tier_seek(t, off, whence) : lseek(ls_fh_fd(fi->fh), off, whence);
  if (!t && r < 0) r = -errno;
  if (r < 0)
    ls_fail(req, e, LS_OP_LSEEK, r);
  else
    fuse_reply_lseek(req, r);
}
