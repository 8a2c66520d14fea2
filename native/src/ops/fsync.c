#include "ops.h"

#include <unistd.h>

void ls_op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi) {
  (void)ino;
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_FSYNC);
  int fd = ls_fh_fd(fi->fh);
  ls_reply_status(req, e, LS_OP_FSYNC, ls_sys(datasync ? fdatasync(fd) : fsync(fd)));
}
