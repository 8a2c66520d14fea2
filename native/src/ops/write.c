#include "ops.h"

#include <unistd.h>

/* The data path: the write itself, counters, one ring record. Nothing here allocates, locks or
 * waits. ops[WRITE] is not incremented: it is writes + errors[WRITE], one atomic fewer. */
void ls_op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
                 struct fuse_file_info *fi) {
  struct ls_engine *e = ls_engine_of(req);
  int killed = ls_fh_kills_setid(fi->fh) ? ls_kill_setid(req, e, ino, ls_fh_fd(fi->fh)) : 0;
  ssize_t n = killed < 0 ? -1 : pwrite(ls_fh_fd(fi->fh), buf, size, off);
  if (n < 0) {
    int err = killed < 0 ? -killed : errno;
    ls_count_error(e, LS_OP_WRITE);
    fuse_reply_err(req, err);
    return;
  }
  struct ls_counters *c = &e->counters;
  atomic_fetch_add_explicit(&c->writes, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&c->bytes_written, (uint64_t)n, memory_order_relaxed);
  uint64_t largest = atomic_load_explicit(&c->largest_write, memory_order_relaxed);
  while ((uint64_t)n > largest &&
         !atomic_compare_exchange_weak_explicit(&c->largest_write, &largest, (uint64_t)n,
                                                memory_order_relaxed, memory_order_relaxed)) {
  }
  /* a writeback flush runs in no caller's context */
  uint32_t pid = fi->writepage ? 0 : (uint32_t)fuse_req_ctx(req)->pid;
  ls_ring_push(&e->ring, ls_fh_id(fi->fh), ls_now_ms(), (double)off, (uint32_t)n, pid);
  fuse_reply_write(req, (size_t)n);
}
