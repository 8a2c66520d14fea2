#include "ops.h"

#include <unistd.h>

/* libfuse's receive buffer holds at most this much write payload (FUSE_MAX_MAX_PAGES pages) */
#define LS_LIBFUSE_MAX_PAGES 256u

void ls_op_init(void *userdata, struct fuse_conn_info *conn) {
  struct ls_engine *e = userdata;
  ls_count(e, LS_OP_INIT);

  unsigned limit = LS_LIBFUSE_MAX_PAGES * (unsigned)sysconf(_SC_PAGESIZE);
  unsigned max_write = e->max_write_wanted && e->max_write_wanted < limit ? e->max_write_wanted : limit;
  conn->max_write = max_write;

  bool writeback = e->writeback_wanted && (conn->capable & FUSE_CAP_WRITEBACK_CACHE);
  if (writeback)
    conn->want |= FUSE_CAP_WRITEBACK_CACHE;
  else
    conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
  /* the daemon writes as root, which keeps set-id bits: the kernel must clear them itself */
  conn->want &= ~FUSE_CAP_HANDLE_KILLPRIV;
  /* the kernel applies the caller's umask before the mode reaches us */
  conn->want &= ~FUSE_CAP_DONT_MASK;
  /* node ids are addresses, valid only while the kernel holds them: no NFS export */
  conn->want &= ~FUSE_CAP_EXPORT_SUPPORT;

  /* written before INIT is answered, so before any other request can read them */
  pthread_mutex_lock(&e->lock);
  e->writeback = writeback;
  e->max_write = max_write;
  e->init_done = true;
  pthread_cond_broadcast(&e->cond);
  pthread_mutex_unlock(&e->lock);
}
