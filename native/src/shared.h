/*
 * The memory the engine process shares with the daemon that attaches to it: the counters and the
 * write ring, in one sealed memfd. The engine's FUSE threads write into it with plain atomics, as
 * before the split; the daemon maps the same pages and reads them (and the ring's consumer side)
 * without a system call. The region is created once at mount and outlives every daemon, so a
 * daemon that died leaves the counters and the ring's positions for the next one.
 *
 * Layout: this header, the counters at `counters_offset`, the ring (ring.h) at `ring_offset`.
 * Both sides are built from these headers; the header's magic, version and sizes are checked at
 * attach, so a daemon built against another layout refuses to attach instead of misreading it.
 */
#ifndef LOGSHADOW_SHARED_H
#define LOGSHADOW_SHARED_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LS_SHARED_MAGIC 0x316d6468736c6f6cull /* "logshdm1" */
#define LS_SHARED_VERSION 2u /* 2: counters.file_events_queued */

struct ls_counters;

struct ls_shared_header {
  uint64_t magic;
  uint32_t version;
  uint32_t counters_bytes; /* sizeof(struct ls_counters) as built */
  uint64_t counters_offset;
  uint64_t ring_offset;
  uint64_t ring_bytes;
  uint64_t total_bytes;
};

struct ls_shared {
  int fd; /* the memfd, sealed against resizing */
  void *mem;
  size_t bytes;
  struct ls_shared_header *hdr;
};

/* Creates the region for a ring of `ring_capacity` slots: 0 or -errno. */
int ls_shared_create(struct ls_shared *s, size_t counters_bytes, uint32_t ring_capacity);
/* Maps a region received from the engine and checks its header: 0, -EPROTO (another layout) or -errno. */
int ls_shared_map(struct ls_shared *s, int fd, size_t counters_bytes);
void ls_shared_unmap(struct ls_shared *s);

static inline void *ls_shared_counters(const struct ls_shared *s) {
  return (char *)s->mem + s->hdr->counters_offset;
}
static inline void *ls_shared_ring(const struct ls_shared *s) { return (char *)s->mem + s->hdr->ring_offset; }

#endif
