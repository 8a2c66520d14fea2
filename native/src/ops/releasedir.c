#include "ops.h"

#include <stdlib.h>

void ls_op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  (void)ino;
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_RELEASEDIR);
  struct ls_dir *d = ls_handles_remove(&e->handles, ls_fh_fd(fi->fh));
  if (d) {
    closedir(d->dp);
    free(d);
  }
  fuse_reply_err(req, 0);
}
