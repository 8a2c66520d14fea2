/*
 * The native engine: a libfuse 3 low-level session served on libfuse's own threads
 * (fuse_session_loop_mt), passing every operation through to the backing directory and feeding
 * the write ring and the file-event queue. It runs in a process of its own (engine_proc/), which
 * never runs JavaScript; the daemon attaches to it (link/).
 *
 * Why the low-level API: the kernel's fstat() sends GETATTR without a file handle, and the
 * high-level path API can then only answer ESTALE for a file unlinked while open (or keep it
 * as a .fuse_hidden file). Inode-based nodes answer from their own descriptor, and they never
 * resolve a path, which is also what keeps the daemon from following symlinks.
 */
#ifndef LOGSHADOW_ENGINE_H
#define LOGSHADOW_ENGINE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "counters.h"
#include "events.h"
#include "gone.h"
#include "handles.h"
#include "nodes.h"
#include "park.h"
#include "ring.h"
#include "shared.h"
#include "tier/tier.h"

struct ls_mount_options {
  const char *mountpoint;
  int backing_fd;
  bool writeback;
  unsigned max_write;
  uint32_t ring_capacity;
  bool debug;
  bool xattr; /* serve xattr operations (costs a round trip per write, see ops/table.c) */
  const char *fsname;
  const char *subtype;
  /* tiered: the RAM directory (a tmpfs) the tails live in; -1 for a RAM-only mount, whose
   * backing_fd is then the tmpfs itself. Tiered, backing_fd is the disk directory. */
  int ram_dir_fd;
  uint64_t max_unsynced;
  uint64_t sync_interval_ms;
  uint64_t final_sync_ms; /* how long unmount waits for the final sync */
  bool disk_reserve;
  /* files served straight from the disk side (shared mmap, in-place records): glob patterns,
   * one per line, matched against the name, or the path from the mount root when they hold a
   * slash */
  const char *direct_patterns;
};

struct ls_unmount_result {
  bool was_mounted; /* our mount was still the topmost at the mountpoint */
  bool lazy;        /* busy: detached with MNT_DETACH */
  bool stopped;     /* the loop ended and everything it held was freed */
  int error;        /* errno of a umount2 that failed, else 0 */
  uint64_t unsynced_left; /* tiered: bytes the final sync could not make durable (kept in RAM) */
};

enum ls_unmount_state { LS_UNMOUNT_NONE, LS_UNMOUNT_RUNNING, LS_UNMOUNT_DONE };

struct ls_engine {
  _Atomic int refs;

  /* fixed at mount */
  char *mountpoint; /* canonical absolute path */
  int root_fd;      /* our own O_PATH descriptor of the backing directory */
  char *root_prefix; /* how /proc/self/fd shows the backing directory; event paths drop it */
  size_t root_prefix_len;
  bool writeback_wanted;
  unsigned max_write_wanted;
  bool debug;
  bool xattr;
  double entry_timeout;
  double attr_timeout;
  double negative_timeout;
  char mount_dev[32]; /* "major:minor" of our mount in /proc/self/mountinfo */

  /* negotiated at INIT */
  bool init_done;
  bool writeback;
  unsigned max_write;

  /* every lock of the engine is a leaf: the order and its two exceptions are in
   * docs/architecture.md, "Lock order of the native engine" */
  pthread_mutex_t lock;
  pthread_cond_t cond;
  struct fuse_session *se; /* NULL once the loop thread has destroyed it */
  pthread_t loop_thread;
  bool loop_done;
  bool thread_settled; /* joined or detached */
  enum ls_unmount_state unmount_state;
  struct ls_unmount_result unmount_result;

  /* the counters and the ring live in the region a daemon maps (shared.h) */
  struct ls_shared shared;
  struct ls_counters *counters;
  struct ls_ring ring;
  int done_fd; /* an eventfd, readable once the loop has ended (the mount went away or was unmounted) */
  struct ls_event_queue events;
  struct ls_nodes nodes;
  struct ls_handles handles;
  _Atomic uint32_t next_handle;

  /* files gone but for the consumer's descriptors (gone.h) */
  struct {
    pthread_mutex_t lock;
    pthread_cond_t cond; /* CLOCK_MONOTONIC */
    ls_gone_ask_fn ask;
    void *ctx;
    uint64_t asked;
    uint64_t answered;
  } gone;

  /* tiered mounts only (NULL otherwise): the tails in RAM and their syncs */
  struct ls_tiers *tiers;
  char **direct_patterns; /* NULL-terminated */
  uint64_t final_sync_ms;
  struct ls_park park; /* writes waiting for a sync to make room */

  struct ls_engine *next_live; /* the process-wide list the exit handler walks */
};

/* 0 with *out holding one reference for the caller, or -errno with a message in err. */
int ls_engine_mount(const struct ls_mount_options *o, struct ls_engine **out, char *err,
                    size_t errlen);
/* Idempotent and bounded in time (see engine.c); safe from any thread but a FUSE worker. */
void ls_engine_unmount(struct ls_engine *e, struct ls_unmount_result *res);
void ls_engine_ref(struct ls_engine *e);
void ls_engine_unref(struct ls_engine *e);

uint32_t ls_engine_new_handle(struct ls_engine *e);

/* Event paths: "/" plus the path below the backing directory; malloc'd, NULL without memory. */
char *ls_path_of_fd(struct ls_engine *e, int fd);
char *ls_path_join(struct ls_engine *e, struct ls_node *parent, const char *name);

#endif
