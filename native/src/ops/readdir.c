#include "ops.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void ls_op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) {
  (void)ino;
  struct ls_engine *e = ls_engine_of(req);
  ls_count(e, LS_OP_READDIR);
  /* the kernel never runs two readdirs of one open directory at once */
  struct ls_dir *d = ls_handles_dir(&e->handles, ls_fh_fd(fi->fh));
  if (!d) {
    ls_fail(req, e, LS_OP_READDIR, -EBADF);
    return;
  }
  char *buf = malloc(size);
  if (!buf) {
    ls_fail(req, e, LS_OP_READDIR, -ENOMEM);
    return;
  }
  if (off != d->offset) {
    seekdir(d->dp, off);
    d->entry = NULL;
    d->offset = off;
  }
  size_t used = 0;
  int err = 0;
  for (;;) {
    if (!d->entry) {
      errno = 0;
      d->entry = readdir(d->dp);
      if (!d->entry) {
        err = errno;
        break;
      }
    }
    struct stat st;
    memset(&st, 0, sizeof(st));
    st.st_ino = d->entry->d_ino;
    st.st_mode = (mode_t)d->entry->d_type << 12;
    off_t next = d->entry->d_off;
    size_t len = fuse_add_direntry(req, buf + used, size - used, d->entry->d_name, &st, next);
    if (len > size - used) break; /* kept in d->entry for the next call */
    used += len;
    d->entry = NULL;
    d->offset = next;
  }
  if (err && used == 0)
    ls_fail(req, e, LS_OP_READDIR, -err);
  else
    fuse_reply_buf(req, buf, used);
  free(buf);
}
