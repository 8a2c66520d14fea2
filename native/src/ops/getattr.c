#include "ops.h"

#include <fcntl.h>
#include <sys/stat.h>

/* A tiered file shows its logical size and the times of its latest write (tier/io.c). With a
 * handle the node's tier is in place; without one it is looked up, since a closed file's tail
 * may still be waiting for its sync. */
void ls_tier_overlay(struct ls_engine *e, struct ls_node *n, bool have_handle, struct stat *st) {
  if (!e->tiers || !S_ISREG(st->st_mode)) return;
  if (have_handle && n->tier) {
    ls_tier_stat(n->tier, st);
    return;
  }
  struct ls_tier *t = ls_tier_find(e->tiers, st->st_dev, st->st_ino);
  if (!t) return;
  ls_tier_stat(t, st);
  ls_tier_put(e->tiers, t);
}

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
  ls_tier_overlay(e, n, fi != NULL, &st);
  fuse_reply_attr(req, &st, e->attr_timeout);
}
