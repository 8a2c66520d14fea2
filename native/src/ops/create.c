#include "ops.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>


/* Opens parent/name, creating it when it is not there, and says which happened: the open event
 * reports `created`, and only a created file is handed to the caller's ownership. */
static int open_or_create(int parent_fd, const char *name, int flags, mode_t mode, bool exclusive,
                          bool *created) {
  for (int attempt = 0; attempt < 4; attempt++) {
    int fd = openat(parent_fd, name, flags | O_CREAT | O_EXCL, mode);
    if (fd >= 0) {
      *created = true;
      return fd;
    }
    if (errno != EEXIST || exclusive) return -errno;
    fd = openat(parent_fd, name, flags);
    if (fd >= 0) {
      *created = false;
      return fd;
    }
    if (errno != ENOENT) return -errno;
    /* removed between the two calls: try again */
  }
  return -EAGAIN;
}

void ls_op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
                  struct fuse_file_info *fi) {
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_CREATE);
  struct ls_node *p = ls_node_of(e, parent);
  bool created = false;
  char *path = e->tiers ? ls_path_join(e, p, name) : NULL;
  bool tiered = ls_tiering_wants(e, path);
  int flags = ls_backing_open_flags(e, fi->flags);
  /* O_NOFOLLOW: a symlink at the name is refused, never followed */
  int fd = open_or_create(p->fd, name, (tiered ? ls_tiering_handle_flags(flags) : flags) | O_NOFOLLOW, mode,
                          (fi->flags & O_EXCL) != 0, &created);
  if (fd < 0) {
    free(path);
    ls_fail(req, e, LS_OP_CREATE, fd);
    return;
  }
  if (created) ls_tiering_changed(e, p);
  int r = created ? ls_take_ownership(req, p->fd, fd, mode, true) : 0;
  struct ls_tier *tier = NULL;
  if (r == 0 && tiered) {
    tier = ls_tier_get(e->tiers, fd, true, &r);
    if (tier && !created && (fi->flags & O_TRUNC)) r = ls_tier_truncate(e->tiers, tier, 0);
    if (r == -ENOTSUP && !created && (fi->flags & O_TRUNC)) r = ls_sys(ftruncate(fd, 0));
    else if (r == -ENOTSUP) r = 0; /* served from the disk side */
  }
  int node_fd = -1;
  if (r == 0) {
    char proc[40];
    ls_proc_fd(proc, fd);
    node_fd = open(proc, O_PATH | O_CLOEXEC);
    if (node_fd < 0) r = -errno;
  }
  struct fuse_entry_param ep;
  if (r == 0) r = ls_nodes_adopt(e, node_fd, &ep);
  if (r < 0) {
    if (tier) ls_tier_put(e->tiers, tier);
    free(path);
    close(fd);
    if (created) unlinkat(p->fd, name, 0);
    ls_fail(req, e, LS_OP_CREATE, r);
    return;
  }
  r = ls_register_open(req, e, ep.ino, fi, fd, created, tier, path);
  if (r < 0) {
    close(fd);
    if (created) unlinkat(p->fd, name, 0); /* the caller is told it failed: no file appears */
    ls_nodes_forget(e, ep.ino, 1);
    ls_fail(req, e, LS_OP_CREATE, r);
    return;
  }
  if (fuse_reply_create(req, &ep, fi) == -ENOENT) {
    ls_release_handle(e, ep.ino, fi->fh);
    ls_nodes_forget(e, ep.ino, 1);
  }
}
