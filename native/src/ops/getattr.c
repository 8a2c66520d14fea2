#include "ops.h"

#include <fcntl.h>
#include <sys/stat.h>

void ls_op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_GETATTR);
  struct stat st;
  struct ls_node *n = ls_node_of(e, ino);
  /* both reach the inode itself, so a file unlinked while open still answers */
  long r = fi ? ls_sys(fstat(ls_fh_fd(fi->fh), &st))
              : ls_sys(fstatat(n->fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW));
  if (r < 0) {
    ls_fail(req, e, LS_OP_GETATTR, r);
    return;
  }
  ls_tiering_stat(e, fi ? n : NULL, &st);
  fuse_reply_attr(req, &st, e->attr_timeout);
}
