#include "ops.h"

#include <pthread.h>
#include <stdlib.h>

void ls_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) {
  (void)ino;
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_READ);
  /* libfuse reads the descriptor itself (and could splice it); a failed read is answered by
   * libfuse with the read's errno */
  struct fuse_bufvec buf = FUSE_BUFVEC_INIT(size);
  buf.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
  buf.buf[0].fd = ls_fh_fd(fi->fh);
  buf.buf[0].pos = off;
  if (fuse_reply_data(req, &buf, FUSE_BUF_SPLICE_MOVE) != 0) ls_count_error(e, LS_OP_READ);
}

/* One read buffer per FUSE thread, kept for the thread's life: a tiered read is stitched from two
 * files before it can be sent, so it cannot be spliced. */
static pthread_key_t buffer_key;
static pthread_once_t buffer_once = PTHREAD_ONCE_INIT;
struct read_buffer {
  size_t cap;
  char data[];
};

static void make_key(void) { pthread_key_create(&buffer_key, free); }

static char *thread_buffer(size_t size) {
  pthread_once(&buffer_once, make_key);
  struct read_buffer *b = pthread_getspecific(buffer_key);
  if (b && b->cap >= size) return b->data;
  struct read_buffer *grown = realloc(b, sizeof(*b) + size);
  if (!grown) return NULL;
  grown->cap = size;
  pthread_setspecific(buffer_key, grown);
  return grown->data;
}

void ls_op_read_tiered(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) {
  struct ls_engine *e = ls_engine_of(req);
  struct ls_tier *t = ls_node_of(e, ino)->tier;
  /* without a RAM copy the disk copy is the whole file */
  if (!t || atomic_load_explicit(&t->ram_fd, memory_order_acquire) < 0) {
    ls_op_read(req, ino, size, off, fi);
    return;
  }
  ls_count(e, LS_OP_READ);
  char *buf = thread_buffer(size);
  ssize_t n = buf ? ls_tier_read(t, buf, size, (uint64_t)off) : -ENOMEM;
  if (n < 0) {
    ls_fail(req, e, LS_OP_READ, n);
    return;
  }
  if (fuse_reply_buf(req, buf, (size_t)n) != 0) ls_count_error(e, LS_OP_READ);
}
