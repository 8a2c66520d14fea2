#include "ops.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>


/* A tiered file's handle: its descriptor on the disk file, and the tier that holds its tail (with
 * a RAM copy when it may be written); an O_TRUNC open truncates through the tier. -ENOTSUP: the
 * file cannot be tiered and is served from the disk side. */
static int open_tiered(struct ls_engine *e, const char *proc, struct fuse_file_info *fi, int *fd,
                       struct ls_tier **tier) {
  *fd = open(proc, ls_tiering_handle_flags(ls_backing_open_flags(e, fi->flags)));
  if (*fd < 0) return -errno;
  bool writer = (fi->flags & O_ACCMODE) != O_RDONLY;
  int r = 0;
  *tier = ls_tier_get(e->tiers, *fd, writer, &r);
  if (*tier && writer && (fi->flags & O_TRUNC)) r = ls_tier_truncate(e->tiers, *tier, 0);
  if (r < 0) {
    if (*tier) ls_tier_put(e->tiers, *tier);
    *tier = NULL;
    close(*fd);
    *fd = -1;
  }
  return r;
}

void ls_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_OPEN);
  struct ls_node *n = ls_node_of(e, ino);
  char proc[40];
  ls_proc_fd(proc, n->fd);
  if (fi->flags & O_TRUNC) ls_before_truncate(e, n->fd, 0);
  char *path = e->tiers && n->type == S_IFREG ? ls_path_of_fd(e, n->fd) : NULL;
  struct ls_tier *tier = NULL;
  int fd = -1, r = -ENOTSUP;
  /* a file with a tier stays tiered whatever name it is opened by */
  if (e->tiers && n->type == S_IFREG && (n->tier || ls_tiering_wants(e, path)))
    r = open_tiered(e, proc, fi, &fd, &tier);
  if (r == -ENOTSUP) {
    fd = open(proc, ls_backing_open_flags(e, fi->flags));
    r = fd < 0 ? -errno : 0;
  }
  if (r == 0) r = ls_register_open(req, e, ino, fi, fd, false, tier, path);
  else free(path);
  if (r < 0) {
    if (fd >= 0) close(fd);
    ls_fail(req, e, LS_OP_OPEN, r);
    return;
  }
  /* the caller is gone (interrupted): no release will ever come for this handle */
  if (fuse_reply_open(req, fi) == -ENOENT) ls_release_handle(e, ino, fi->fh);
}
