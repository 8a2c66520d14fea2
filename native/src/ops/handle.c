#include "ops.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ls_backing_open_flags(const struct ls_engine *e, int flags) {
  /* the kernel already applied O_CREAT/O_EXCL/O_NOFOLLOW to the caller's own lookup; on a
   * /proc/self/fd magic link O_NOFOLLOW would only refuse the link itself */
  flags &= ~(O_CREAT | O_EXCL | O_NOCTTY | O_NOFOLLOW);
  if (e->writeback) {
    /* the page cache reads around partial pages, and the kernel does the appending */
    if ((flags & O_ACCMODE) == O_WRONLY) flags = (flags & ~O_ACCMODE) | O_RDWR;
    flags &= ~O_APPEND;
  }
  return flags | O_CLOEXEC;
}

/* The opener's name, read now: a shell's `echo >> file` has exited long before the profiler's
 * tick could look it up. One small procfs read per open, never per write. */
static void read_comm(int pid, char out[16]) {
  out[0] = '\0';
  if (pid <= 0) return;
  char p[32];
  snprintf(p, sizeof p, "/proc/%d/comm", pid);
  int fd = open(p, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = read(fd, out, 15);
  close(fd);
  if (n <= 0) n = 0;
  if (n > 0 && out[n - 1] == '\n') n--;
  out[n] = '\0';
}

void ls_push_path_event(struct ls_engine *e, enum ls_event_kind kind, char *path, uint64_t size) {
  struct ls_event ev = {.kind = (uint8_t)kind, .read_fd = -1, .disk_fd = -1, .size = size, .path = path};
  ls_evq_push(&e->events, &ev);
}

static bool caller_in_group(fuse_req_t req, gid_t gid) {
  if (fuse_req_ctx(req)->gid == gid) return true;
  gid_t groups[256];
  int n = fuse_req_getgroups(req, 256, groups);
  for (int i = 0; i < n && i < 256; i++)
    if (groups[i] == gid) return true;
  return false;
}

int ls_kill_setid(fuse_req_t req, struct ls_engine *e, fuse_ino_t ino, int fd) {
  struct stat st;
  if (fuse_req_ctx(req)->uid == 0) return 0;
  if (fstat(fd, &st) != 0) return -errno;
  mode_t mode = st.st_mode & 07777;
  /* the kernel's rule (setattr_should_drop_sgid): setgid goes when the group may execute, or
   * when the writer is not in the file's group */
  mode_t kill = S_ISUID;
  if ((mode & S_ISGID) && ((mode & S_IXGRP) || !caller_in_group(req, st.st_gid))) kill |= S_ISGID;
  if (!(mode & kill)) return 0;
  if (fchmod(fd, mode & ~kill) != 0) return -errno;
  /* changed behind the kernel's back: drop its cached attributes (no data, no inode lock) */
  fuse_lowlevel_notify_inval_inode(e->se, ino, -1, 0);
  return 0;
}

/* The descriptors an open event hands the consumer: the file's content to read back and, when
 * it is tiered, its disk copy too (content below the synced boundary is read from there). Its
 * reading back must not move the file's access time (O_NOATIME: relatime would). */
void ls_event_fds(struct ls_engine *e, int fd, struct ls_tier *t, struct ls_event *ev) {
  ev->read_fd = ev->disk_fd = -1;
  int ram = t ? atomic_load(&t->ram_fd) : -1;
  /* The size as the open found it (of the copy the consumer reads): where the content written
   * under watch begins, should the consumer apply the open after the first writes landed. */
  struct stat st;
  ev->size = fstat(ram >= 0 ? ram : fd, &st) == 0 ? (uint64_t)st.st_size : LS_EVENT_SIZE_UNKNOWN;
  if (!ls_evq_fd_budget(&e->events)) return;
  char proc[40];
  ls_proc_fd(proc, ram >= 0 ? ram : fd);
  ev->read_fd = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOATIME);
  if (ram >= 0) {
    ls_proc_fd(proc, t->disk_fd);
    ev->disk_fd = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOATIME);
  }
}

int ls_register_open(fuse_req_t req, struct ls_engine *e, fuse_ino_t ino, struct fuse_file_info *fi,
                     int fd, bool created, struct ls_tier *tier, char *path) {
  bool writer = (fi->flags & O_ACCMODE) != O_RDONLY;
  /* Writethrough bypasses the page cache: through it the kernel splits a write(2) that starts
   * in a partly written page into two requests, and the ring would count writes no application
   * made. Every open alike, so that no cached reader sees stale pages beside direct writers.
   * The price: no shared writable mmap in this mode (the writeback cache has it). A tiered
   * mount's files served from the disk side keep the page cache (their point is shared mmap):
   * the kernel still sends each write through at once, without the writeback cache. */
  bool direct = !e->writeback && (tier != NULL || !e->tiers);
  /* Direct writes skip the kernel's clearing of set-id bits (file_remove_privs), which the root
   * daemon's own write does not do either: such handles do it in ops/write.c. A truncation is a
   * write, done already by the open: a file that kept its bits is not handed out. */
  struct stat st;
  bool kills = direct && writer && fstat(fd, &st) == 0 && (st.st_mode & (S_ISUID | S_ISGID));
  int r = kills && (fi->flags & O_TRUNC) ? ls_kill_setid(req, e, ino, fd) : 0;
  uint32_t id = ls_engine_new_handle(e);
  /* Counted before the reply, so before the first write: the allocator punches only files that
   * no handle can write (ls_nodes_punch_if_idle). */
  if (r == 0) r = ls_nodes_opened(e, ino, writer, id, &tier);
  if (tier) ls_tier_put(e->tiers, tier); /* the node had it already, or the open failed */
  if (r < 0) {
    free(path);
    return r;
  }
  struct ls_open_info info = {.ino = ino, .pid = fuse_req_ctx(req)->pid, .flags = fi->flags};
  read_comm(info.pid, info.comm);
  r = ls_handles_add(&e->handles, fd, id, NULL, &info);
  if (r < 0) {
    struct ls_tier *t;
    ls_nodes_released(e, ino, writer, &t);
    if (t) ls_tier_put(e->tiers, t);
    free(path);
    return r;
  }
  fi->fh = ls_fh_make(id, fd);
  if (writer) fi->fh |= LS_FH_WRITER;
  fi->direct_io = direct;
  if (kills) fi->fh |= LS_FH_KILL_SETID;

  /* queued before the reply, so before any write through this handle can reach the ring */
  struct ls_event ev = {
      .kind = LS_EV_OPEN,
      .created = created,
      .handle = id,
      .pid = info.pid,
      .flags = fi->flags,
      .path = path ? path : ls_path_of_fd(e, fd),
  };
  ls_event_fds(e, fd, ls_node_of(e, ino)->tier, &ev);
  memcpy(ev.comm, info.comm, sizeof(ev.comm));
  char *trunc_path = (fi->flags & O_TRUNC) && !created && ev.path ? strdup(ev.path) : NULL;
  ls_evq_push(&e->events, &ev);
  if (trunc_path) ls_push_path_event(e, LS_EV_TRUNCATE, trunc_path, 0);
  return 0;
}

void ls_release_handle(struct ls_engine *e, fuse_ino_t ino, uint64_t fh) {
  int fd = ls_fh_fd(fh);
  /* the file itself, through the handle: the node may already point at the placeholder */
  struct stat st;
  bool known = fstat(fd, &st) == 0;
  ls_handles_remove(&e->handles, fd);
  close(fd);
  /* no longer counted as a writer before the consumer can see the release: it may punch then */
  struct ls_tier *t;
  bool last = ls_nodes_released(e, ino, ls_fh_is_writer(fh), &t);
  if (t) ls_tier_put(e->tiers, t); /* the last handle: a synced file's RAM copy goes now */
  struct ls_event ev = {.kind = LS_EV_RELEASE, .handle = ls_fh_id(fh), .read_fd = -1, .disk_fd = -1};
  ls_evq_push(&e->events, &ev);
  if (last && known) ls_gone_after_release(e, &st);
}
