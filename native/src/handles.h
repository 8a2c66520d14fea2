/*
 * Open files and directories. fi->fh carries the engine's handle id in its high 32 bits and the
 * backing descriptor in its low 32 bits, so the data path decodes it with two shifts and no
 * table. The table below exists only for open/release and for the teardown, which must close
 * what the kernel will never release (files still open when a lazy unmount stopped the loop).
 */
#ifndef LOGSHADOW_HANDLES_H
#define LOGSHADOW_HANDLES_H

#include <dirent.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Descriptors fit in 30 bits; the top bit of the low word marks a handle whose writes must clear
 * set-id bits themselves (see ops/write.c), the next one a handle counted as a writer of its node
 * (see ls_nodes_punch_if_idle). */
#define LS_FH_KILL_SETID 0x80000000u
#define LS_FH_WRITER 0x40000000u

static inline uint64_t ls_fh_make(uint32_t id, int fd) { return ((uint64_t)id << 32) | (uint32_t)fd; }
static inline int ls_fh_fd(uint64_t fh) { return (int)((uint32_t)fh & ~(LS_FH_KILL_SETID | LS_FH_WRITER)); }
static inline bool ls_fh_is_writer(uint64_t fh) { return ((uint32_t)fh & LS_FH_WRITER) != 0; }
static inline uint32_t ls_fh_id(uint64_t fh) { return (uint32_t)(fh >> 32); }
static inline bool ls_fh_kills_setid(uint64_t fh) { return ((uint32_t)fh & LS_FH_KILL_SETID) != 0; }

/* Directory stream state, owned by the handle table. */
struct ls_dir {
  DIR *dp;
  off_t offset;          /* where the stream is */
  struct dirent *entry;  /* read but not yet sent (did not fit the kernel's buffer) */
};

/* What an open file handle was opened with, kept for a consumer that attaches later (attach.c). */
struct ls_open_info {
  uint64_t ino; /* the FUSE node id */
  int32_t pid;
  int32_t flags;
  char comm[16];
};

struct ls_handle_slot {
  uint32_t id; /* 0: free */
  struct ls_dir *dir;
  struct ls_open_info open; /* file handles only */
};

struct ls_handles {
  pthread_mutex_t lock;
  struct ls_handle_slot *by_fd;
  size_t cap;
};

int ls_handles_init(struct ls_handles *h);
/* `open` describes a file handle; NULL for a directory's. */
int ls_handles_add(struct ls_handles *h, int fd, uint32_t id, struct ls_dir *dir, const struct ls_open_info *open);
/* Forgets fd and returns its directory state, if any; call before closing the descriptor. */
struct ls_dir *ls_handles_remove(struct ls_handles *h, int fd);
struct ls_dir *ls_handles_dir(struct ls_handles *h, int fd);
/* Calls `first` once the table is locked (it may take a lock that comes after this one), then fn
 * for every open file handle: fd stays the handle's own while fn runs (a release waits). Neither
 * may take the table's lock. */
void ls_handles_each_file(struct ls_handles *h, void (*first)(void *ctx),
                          void (*fn)(void *ctx, int fd, uint32_t id, const struct ls_open_info *open),
                          void *ctx);
/* Teardown: closes every descriptor still open and reports file handles through `released`. */
void ls_handles_close_all(struct ls_handles *h, void (*released)(void *ctx, uint32_t id), void *ctx);
void ls_handles_destroy(struct ls_handles *h);

#endif
