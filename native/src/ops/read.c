#include "ops.h"

void ls_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) {
  (void)ino;
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_READ);
  /* libfuse reads the descriptor itself (and could splice it); a failed read is answered by
   * libfuse with the read's errno */
  struct fuse_bufvec buf = FUSE_BUFVEC_INIT(size);
  buf.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
  buf.buf[0].fd = ls_fh_fd(fi->fh);
  buf.buf[0].pos = off;
  if (fuse_reply_data(req, &buf, FUSE_BUF_SPLICE_MOVE) != 0) ls_count_error(e, LS_OP_READ);
}
