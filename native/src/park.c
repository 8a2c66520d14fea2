#include "park.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "ops/ops.h"

/*
 * A parked write's life, under the park's lock: NEW while its interrupt function is being
 * registered (libfuse may call it at once), QUEUED in the list, TAKEN by the resumer, or
 * INTERRUPTED. Whoever moves it out of NEW or QUEUED answers it and frees it. The resumer clears
 * the interrupt function before touching the request: libfuse runs that function under the
 * request's own lock, so once cleared, no interrupt can still be running or start.
 */
enum parked_state { P_NEW, P_QUEUED, P_TAKEN, P_INTERRUPTED };

struct ls_parked {
  struct ls_parked *next;
  struct ls_engine *e;
  fuse_req_t req;
  fuse_ino_t ino;
  uint64_t fh;
  off_t off;
  size_t size;
  bool writepage;
  double since_ms;
  enum parked_state state;
  char data[];
};

int ls_park_init(struct ls_park *p) {
  memset(p, 0, sizeof(*p));
  atomic_init(&p->count, 0);
  return -pthread_mutex_init(&p->lock, NULL);
}

void ls_park_destroy(struct ls_park *p) { pthread_mutex_destroy(&p->lock); }

/* With the lock held. */
static void unlink_parked(struct ls_park *park, struct ls_parked *w) {
  struct ls_parked **at = &park->head, *prev = NULL;
  while (*at && *at != w) {
    prev = *at;
    at = &(*at)->next;
  }
  if (!*at) return;
  *at = w->next;
  if (park->tail == w) park->tail = prev;
  atomic_fetch_sub_explicit(&park->count, 1, memory_order_relaxed);
}

static void on_interrupt(fuse_req_t req, void *data) {
  struct ls_parked *w = data;
  struct ls_park *park = &w->e->park;
  pthread_mutex_lock(&park->lock);
  enum parked_state was = w->state;
  if (was == P_QUEUED) unlink_parked(park, w);
  if (was == P_NEW || was == P_QUEUED) w->state = P_INTERRUPTED;
  pthread_mutex_unlock(&park->lock);
  if (was != P_QUEUED) return; /* NEW: ls_park_write answers it; TAKEN: the resumer does */
  ls_tiers_count_throttled(w->e->tiers, ls_now_ms() - w->since_ms, -1);
  ls_count_error(w->e, LS_OP_WRITE);
  fuse_reply_err(req, EINTR);
  free(w);
}

/* Queues w (at the front when it goes back after a resume that found no room). */
static void enqueue(struct ls_parked *w, bool front) {
  struct ls_park *park = &w->e->park;
  pthread_mutex_lock(&park->lock);
  w->state = P_NEW;
  pthread_mutex_unlock(&park->lock);
  fuse_req_interrupt_func(w->req, on_interrupt, w);
  pthread_mutex_lock(&park->lock);
  bool interrupted = w->state == P_INTERRUPTED;
  if (!interrupted) {
    w->state = P_QUEUED;
    if (front) {
      w->next = park->head;
      park->head = w;
      if (!park->tail) park->tail = w;
    } else {
      w->next = NULL;
      if (park->tail) park->tail->next = w;
      else park->head = w;
      park->tail = w;
    }
    atomic_fetch_add_explicit(&park->count, 1, memory_order_relaxed);
  }
  pthread_mutex_unlock(&park->lock);
  if (interrupted) {
    fuse_req_interrupt_func(w->req, NULL, NULL);
    ls_tiers_count_throttled(w->e->tiers, ls_now_ms() - w->since_ms, -1);
    ls_count_error(w->e, LS_OP_WRITE);
    fuse_reply_err(w->req, EINTR);
    free(w);
  }
}

void ls_park_write(fuse_req_t req, struct ls_engine *e, fuse_ino_t ino, struct fuse_file_info *fi,
                   const char *buf, size_t size, off_t off) {
  /* the one allocation of the tiered write path, and only on this slow path: the request's
   * buffer belongs to libfuse once this thread returns to it */
  struct ls_parked *w = malloc(sizeof(*w) + size);
  if (!w) {
    ls_count_error(e, LS_OP_WRITE);
    fuse_reply_err(req, ENOSPC);
    return;
  }
  *w = (struct ls_parked){.e = e, .req = req, .ino = ino, .fh = fi->fh, .off = off, .size = size,
                          .writepage = fi->writepage, .since_ms = ls_now_ms()};
  memcpy(w->data, buf, size);
  ls_tiers_count_throttled(e->tiers, 0, +1);
  enqueue(w, false);
  /* a round that ended just before this was queued did not see it: the sync thread also
   * resumes parked writes between rounds (every poll), so none waits longer than that */
  ls_tiers_wake(e->tiers);
}

void ls_park_resume(void *engine) {
  struct ls_engine *e = engine;
  struct ls_park *park = &e->park;
  for (;;) {
    pthread_mutex_lock(&park->lock);
    struct ls_parked *w = park->head;
    bool go = w && (park->force || !ls_tiers_throttled(e->tiers));
    if (go) {
      unlink_parked(park, w);
      w->state = P_TAKEN;
    }
    bool force = park->force;
    pthread_mutex_unlock(&park->lock);
    if (!go) return;
    fuse_req_interrupt_func(w->req, NULL, NULL);
    struct ls_tier *t = ls_node_of(e, w->ino)->tier;
    ssize_t r = t ? ls_tier_write(e->tiers, t, w->data, w->size, (uint64_t)w->off) : -EBADF;
    if (r == -ENOSPC && !force && ls_tiers_may_wait(e->tiers)) {
      enqueue(w, true);
      return;
    }
    ls_tiers_count_throttled(e->tiers, ls_now_ms() - w->since_ms, -1);
    ls_write_finish(w->req, e, w->fh, w->writepage, w->off, r);
    free(w);
  }
}
