#include "ops.h"


#include <fcntl.h>
#include <unistd.h>

void ls_reply_new_entry(fuse_req_t req, struct ls_engine *e, enum ls_op op, struct ls_node *parent,
                        const char *name, mode_t mode) {
  int fd = openat(parent->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    ls_fail(req, e, op, -errno);
    return;
  }
  ls_tiering_changed(e, parent);
  int r = ls_take_ownership(req, parent->fd, fd, mode, false);
  if (r < 0) {
    /* an object the caller would not own must not stay behind */
    close(fd);
    unlinkat(parent->fd, name, S_ISDIR(mode) ? AT_REMOVEDIR : 0);
    ls_fail(req, e, op, r);
    return;
  }
  struct fuse_entry_param ep;
  r = ls_nodes_adopt(e, fd, &ep);
  if (r < 0) {
    ls_fail(req, e, op, r);
    return;
  }
  if (fuse_reply_entry(req, &ep) == -ENOENT) ls_nodes_forget(e, ep.ino, 1);
}
