#include "ops.h"


#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

void ls_op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name) {
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_UNLINK);
  struct ls_node *p = ls_node_of(e, parent);
  struct stat victim;
  bool known = fstatat(p->fd, name, &victim, AT_SYMLINK_NOFOLLOW) == 0;
  long r = ls_sys(unlinkat(p->fd, name, 0));
  if (r == 0) {
    ls_tiering_changed(e, p);
    ls_push_path_event(e, LS_EV_UNLINK, ls_path_join(e, p, name), 0);
    /* before the reply: when rm returns, the space of a file nobody has open is free */
    if (known) ls_gone_after_unlink(e, &victim);
  }
  ls_reply_status(req, e, LS_OP_UNLINK, r);
}
