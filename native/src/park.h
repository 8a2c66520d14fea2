/*
 * Writes that wait for a sync (tiered mounts). When the unsynced total reaches max_unsynced, or
 * the RAM side is full while the disk side is healthy, a write is parked instead of failing:
 * its data copied, its request kept, and the FUSE thread goes back to serving others, so that
 * throttled writers never take every worker thread. The sync thread resumes parked writes in
 * arrival order once a round made room (ls_park_resume). A parked write stays interruptible: a
 * killed writer's request is answered EINTR and dropped.
 */
#ifndef LOGSHADOW_PARK_H
#define LOGSHADOW_PARK_H

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct ls_engine;
struct ls_parked;

struct ls_park {
  pthread_mutex_t lock;
  struct ls_parked *head, *tail;
  _Atomic size_t count;
  bool force; /* unmounting: resume everything, throttled or not */
};

int ls_park_init(struct ls_park *p);
void ls_park_destroy(struct ls_park *p);
static inline bool ls_park_busy(struct ls_park *p) {
  return atomic_load_explicit(&p->count, memory_order_relaxed) != 0;
}
/* Takes the write over: it is answered later, by ls_park_resume or an interrupt. */
void ls_park_write(fuse_req_t req, struct ls_engine *e, fuse_ino_t ino, struct fuse_file_info *fi,
                   const char *buf, size_t size, off_t off);
/* Resumes parked writes while there is room (all of them once `force` is set). */
void ls_park_resume(void *engine);

#endif
