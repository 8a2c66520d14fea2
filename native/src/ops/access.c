#include "ops.h"

#include <fcntl.h>
#include <unistd.h>

/* Mounted with default_permissions, the kernel answers access(2) itself and never sends this;
 * it is here so that a mount without that option still gets the backing file's answer. */
void ls_op_access(fuse_req_t req, fuse_ino_t ino, int mask) {
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_ACCESS);
  ls_reply_status(req, e, LS_OP_ACCESS,
                  ls_sys(faccessat(ls_node_of(e, ino)->fd, "", mask, AT_EMPTY_PATH)));
}
