#include "ops.h"


#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

void ls_op_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
                  const char *newname, unsigned int flags) {
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_RENAME);
  struct ls_node *p = ls_node_of(e, parent);
  struct ls_node *np = ls_node_of(e, newparent);
  /* a rename over an existing file lets that file go, as an unlink would (an exchange does not) */
  struct stat victim, moved;
  bool replaces = !(flags & RENAME_EXCHANGE) &&
                  fstatat(np->fd, newname, &victim, AT_SYMLINK_NOFOLLOW) == 0 &&
                  fstatat(p->fd, name, &moved, AT_SYMLINK_NOFOLLOW) == 0 &&
                  !(moved.st_dev == victim.st_dev && moved.st_ino == victim.st_ino);
  /* RENAME_NOREPLACE, RENAME_EXCHANGE and RENAME_WHITEOUT go through as the kernel sent them */
  long r = ls_sys(renameat2(p->fd, name, np->fd, newname, flags));
  if (r == 0) {
    ls_tiering_changed(e, p);
    if (np != p) ls_tiering_changed(e, np);
    struct ls_event ev = {.kind = LS_EV_RENAME, .read_fd = -1, .disk_fd = -1};
    ev.path = ls_path_join(e, p, name);
    ev.path2 = ls_path_join(e, np, newname);
    ls_evq_push(&e->events, &ev);
    if (replaces) ls_gone_after_unlink(e, &victim);
  }
  ls_reply_status(req, e, LS_OP_RENAME, r);
}
