#include "ops.h"

#include <unistd.h>

/* Counters, one ring record and the reply, for a write that was made (n bytes) or failed
 * (-errno). Nothing here allocates, locks or waits. ops[WRITE] is not incremented: it is
 * writes + errors[WRITE], one atomic fewer. */
void ls_write_finish(fuse_req_t req, struct ls_engine *e, uint64_t fh, bool writepage, off_t off, ssize_t n) {
  if (n < 0) {
    ls_count_error(e, LS_OP_WRITE);
    fuse_reply_err(req, (int)-n);
    return;
  }
  struct ls_counters *c = e->counters;
  atomic_fetch_add_explicit(&c->writes, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&c->bytes_written, (uint64_t)n, memory_order_relaxed);
  uint64_t largest = atomic_load_explicit(&c->largest_write, memory_order_relaxed);
  while ((uint64_t)n > largest &&
         !atomic_compare_exchange_weak_explicit(&c->largest_write, &largest, (uint64_t)n,
                                                memory_order_relaxed, memory_order_relaxed)) {
  }
  /* a writeback flush runs in no caller's context */
  uint32_t pid = writepage ? 0 : (uint32_t)fuse_req_ctx(req)->pid;
  ls_ring_push(&e->ring, ls_fh_id(fh), ls_now_ms(), (double)off, (uint32_t)n, pid);
  fuse_reply_write(req, (size_t)n);
}

/* A handle flagged at open clears set-id bits before it writes, as the kernel would (ops.h);
 * the write is refused when they cannot be cleared. 0 or -errno. */
static int kill_setid_first(fuse_req_t req, struct ls_engine *e, fuse_ino_t ino, uint64_t fh) {
  return ls_fh_kills_setid(fh) ? ls_kill_setid(req, e, ino, ls_fh_fd(fh)) : 0;
}

/* The data path of a RAM-only mount: the write itself into the tmpfs file, then the above. */
void ls_op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
                 struct fuse_file_info *fi) {
  struct ls_engine *e = ls_engine_of(req);
  ssize_t n = kill_setid_first(req, e, ino, fi->fh);
  if (n == 0 && (n = pwrite(ls_fh_fd(fi->fh), buf, size, off)) < 0) n = -errno;
  ls_write_finish(req, e, fi->fh, fi->writepage, off, n);
}

/* The data path of a tiered mount: into the file's RAM tail (tier/io.c), one lock of its own;
 * parked instead while the syncs are behind (park.h). Files served from the disk side (no tier)
 * are written there and handed to the next sync round for an fsync. */
void ls_op_write_tiered(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
                        struct fuse_file_info *fi) {
  struct ls_engine *e = ls_engine_of(req);
  struct ls_node *n = ls_node_of(e, ino);
  struct ls_tier *t = n->tier;
  ssize_t r = kill_setid_first(req, e, ino, fi->fh);
  if (r < 0) {
    ls_write_finish(req, e, fi->fh, fi->writepage, off, r);
  } else if (!t) {
    r = pwrite(ls_fh_fd(fi->fh), buf, size, off);
    if (r < 0) r = -errno;
    else ls_tiering_direct_written(e, n);
    ls_write_finish(req, e, fi->fh, fi->writepage, off, r);
  } else if (ls_park_busy(&e->park) || ls_tiers_throttled(e->tiers)) {
    ls_park_write(req, e, ino, fi, buf, size, off);
  } else {
    r = ls_tier_write(e->tiers, t, buf, size, (uint64_t)off);
    if (r == -ENOSPC && ls_tiers_may_wait(e->tiers)) ls_park_write(req, e, ino, fi, buf, size, off);
    else ls_write_finish(req, e, fi->fh, fi->writepage, off, r);
  }
}
