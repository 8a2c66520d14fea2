#include "ops.h"

#include <unistd.h>

/* How long an application's fsync of a tiered file waits for its sync before failing with EIO. */
#define LS_FSYNC_WAIT_MS (10 * 60 * 1000)

void ls_op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi) {
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_FSYNC);
  struct ls_node *n = ls_node_of(e, ino);
  long r;
  if (n->tier) {
    /* durable means on the disk side: the tail is synced before the answer */
    r = ls_tiers_sync(e->tiers, false, n->tier->dev, n->tier->ino, LS_SYNC_FSYNC, true, LS_FSYNC_WAIT_MS, NULL);
    if (r == -ETIMEDOUT || r == -ESHUTDOWN) r = -EIO;
  } else {
    int fd = ls_fh_fd(fi->fh);
    r = ls_sys(datasync ? fdatasync(fd) : fsync(fd));
  }
  ls_reply_status(req, e, LS_OP_FSYNC, r);
}
