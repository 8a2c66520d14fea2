/*
 * One module per FUSE operation (ops/<name>.c) and one table that assembles them (table.c).
 * Every operation answers with the backing call's own result: errno travels back unchanged
 * through ls_sys(), the one place a failed call becomes -errno.
 */
#ifndef LOGSHADOW_OPS_H
#define LOGSHADOW_OPS_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "../catchup.h"
#include "../engine.h"
#include "../tiering.h"

extern const struct fuse_lowlevel_ops ls_ops;
extern const struct fuse_lowlevel_ops ls_ops_xattr;
extern const struct fuse_lowlevel_ops ls_ops_tiered;
extern const struct fuse_lowlevel_ops ls_ops_tiered_xattr;

static inline struct ls_engine *ls_engine_of(fuse_req_t req) { return fuse_req_userdata(req); }

static inline void ls_count(struct ls_engine *e, enum ls_op op) {
  atomic_fetch_add_explicit(&e->counters->ops[op], 1, memory_order_relaxed);
}

static inline void ls_count_error(struct ls_engine *e, enum ls_op op) {
  atomic_fetch_add_explicit(&e->counters->errors[op], 1, memory_order_relaxed);
}

/* For calls that return -1 and set errno: the result, or -errno. */
static inline long ls_sys(long r) { return r < 0 ? -errno : r; }

/* Replies with a negative result as an error and counts it. */
static inline void ls_fail(fuse_req_t req, struct ls_engine *e, enum ls_op op, long neg) {
  ls_count_error(e, op);
  fuse_reply_err(req, (int)-neg);
}

/* Replies to a request whose only answer is a status. */
static inline void ls_reply_status(fuse_req_t req, struct ls_engine *e, enum ls_op op, long r) {
  if (r < 0)
    ls_fail(req, e, op, r);
  else
    fuse_reply_err(req, 0);
}

static inline double ls_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The magic link that reopens one of our own descriptors: exactly that inode, no name lookup. */
static inline void ls_proc_fd(char buf[40], int fd) { snprintf(buf, 40, "/proc/self/fd/%d", fd); }

/* owner.c */
int ls_take_ownership(fuse_req_t req, int parent_fd, int obj_fd, mode_t mode, bool restore_special);

/* entry.c: after mknod, mkdir and symlink created parent/name */
void ls_reply_new_entry(fuse_req_t req, struct ls_engine *e, enum ls_op op, struct ls_node *parent,
                        const char *name, mode_t mode);

/* handle.c: shared by open and create */
int ls_backing_open_flags(const struct ls_engine *e, int flags);
/* Registers the handle `fd` and queues its open event. Takes over `tier` (a reference, or NULL)
 * and `path` (its path from the mount root, malloc'd, or NULL to read it from fd), also when it
 * fails. */
int ls_register_open(fuse_req_t req, struct ls_engine *e, fuse_ino_t ino, struct fuse_file_info *fi,
                     int fd, bool created, struct ls_tier *tier, char *path);
/* Writethrough's direct writes bypass the kernel's clearing of set-id bits: what a local
 * filesystem does on a write by a process without CAP_FSETID (taken to be any caller but root).
 * Only handles flagged LS_FH_KILL_SETID at open call it, before writing, as the kernel does: 0,
 * or -errno when the bits could not be cleared (the write must not happen then). */
int ls_kill_setid(fuse_req_t req, struct ls_engine *e, fuse_ino_t ino, int fd);
/* The descriptors an open event hands the consumer (none unless one is attached): the file's
 * content behind `fd` (its RAM copy when tiered) and a tiered file's disk copy. */
void ls_event_fds(struct ls_engine *e, int fd, struct ls_tier *t, struct ls_event *ev);
/* Closes the handle, queues its release event and lets the consumer know if the file is gone. */
void ls_release_handle(struct ls_engine *e, fuse_ino_t ino, uint64_t fh);
void ls_push_path_event(struct ls_engine *e, enum ls_event_kind kind, char *path, uint64_t size);

void ls_op_init(void *userdata, struct fuse_conn_info *conn);
void ls_op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name);
void ls_op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup);
void ls_op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets);
void ls_op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void ls_op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
                   struct fuse_file_info *fi);
void ls_op_readlink(fuse_req_t req, fuse_ino_t ino);
void ls_op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev);
void ls_op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode);
void ls_op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name);
void ls_op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name);
void ls_op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name);
void ls_op_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
                  const char *newname, unsigned int flags);
void ls_op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname);
void ls_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void ls_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi);
void ls_op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
                 struct fuse_file_info *fi);
void ls_op_read_tiered(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi);
void ls_op_write_tiered(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
                        struct fuse_file_info *fi);
/* write.c: counters, the set-id rule, the ring record and the reply of a write that was made
 * (n bytes) or failed (-errno); also for parked writes, when they are resumed */
void ls_write_finish(fuse_req_t req, struct ls_engine *e, uint64_t fh, bool writepage, off_t off, ssize_t n);
void ls_op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void ls_op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void ls_op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi);
void ls_op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void ls_op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi);
void ls_op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void ls_op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi);
void ls_op_statfs(fuse_req_t req, fuse_ino_t ino);
void ls_op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
                    size_t size, int flags);
void ls_op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size);
void ls_op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);
void ls_op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name);
void ls_op_access(fuse_req_t req, fuse_ino_t ino, int mask);
void ls_op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
                  struct fuse_file_info *fi);
void ls_op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
                     struct fuse_file_info *fi);
void ls_op_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence, struct fuse_file_info *fi);

/*
 * xattrs: the syscalls take no descriptor that an O_PATH node could give, so they go through
 * the node's /proc/self/fd magic link, which reaches exactly that inode. Symlinks cannot be
 * reached that way without following them, so they report ENOTSUP (tmpfs refuses user.* xattrs
 * on symlinks anyway).
 */
static inline int ls_xattr_path(const struct ls_node *n, char buf[40]) {
  if (n->type == S_IFLNK) return -ENOTSUP;
  if (n->let_go) return -ENOENT; /* the placeholder is not the file (ls_nodes_let_go) */
  ls_proc_fd(buf, n->fd);
  return 0;
}

#endif
