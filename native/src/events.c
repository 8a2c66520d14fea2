#include "events.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ls_evq_init(struct ls_event_queue *q, uint32_t capacity, const _Atomic uint32_t *ring_head,
                _Atomic uint64_t *dropped, _Atomic uint64_t *queued) {
  memset(q, 0, sizeof(*q));
  q->ring_head = ring_head;
  q->capacity = capacity ? capacity : LS_EVENTS_DEFAULT_CAPACITY;
  q->dropped = dropped;
  q->queued = queued;
  atomic_init(&q->queued_fds, 0);
  atomic_init(&q->attached, false);
  return -pthread_mutex_init(&q->lock, NULL);
}

void ls_event_dispose(struct ls_event *ev) {
  if (ev->read_fd >= 0) close(ev->read_fd);
  if (ev->disk_fd >= 0) close(ev->disk_fd);
  free(ev->path);
  free(ev->path2);
  ev->read_fd = ev->disk_fd = -1;
  ev->path = ev->path2 = NULL;
}

void ls_evq_destroy(struct ls_event_queue *q) {
  for (uint32_t i = 0; i < q->count; i++) ls_event_dispose(&q->items[(q->head + i) % q->alloc]);
  free(q->items);
  pthread_mutex_destroy(&q->lock);
  memset(q, 0, sizeof(*q));
}

/* Called with the lock held. Keeps the circular order while it doubles. */
static int grow(struct ls_event_queue *q) {
  uint32_t next = q->alloc ? q->alloc * 2 : 256;
  if (next > q->capacity) next = q->capacity;
  if (next <= q->alloc) return -ENOSPC;
  struct ls_event *items = malloc((size_t)next * sizeof(*items));
  if (!items) return -ENOMEM;
  for (uint32_t i = 0; i < q->count; i++) items[i] = q->items[(q->head + i) % q->alloc];
  free(q->items);
  q->items = items;
  q->alloc = next;
  q->head = 0;
  return 0;
}

/* With the lock held; false when the event had to be dropped (and was disposed of). */
static bool push_locked(struct ls_event_queue *q, struct ls_event *ev, uint32_t ring_pos) {
  /* The last quarter is kept for releases: a dropped release would leave its handle open in the
   * consumer's tables forever, while a dropped open only leaves its writes unattributed. */
  uint32_t limit = ev->kind == LS_EV_RELEASE ? q->capacity : q->capacity - q->capacity / 4;
  if (q->count >= limit || (q->count == q->alloc && grow(q) != 0)) {
    atomic_fetch_add_explicit(q->dropped, 1, memory_order_relaxed);
    ls_event_dispose(ev);
    return false;
  }
  ev->ring_pos = ring_pos;
  q->items[(q->head + q->count) % q->alloc] = *ev;
  q->count++;
  uint32_t fds = (ev->read_fd >= 0) + (ev->disk_fd >= 0);
  if (fds) atomic_fetch_add_explicit(&q->queued_fds, fds, memory_order_relaxed);
  /* after the event is in: a daemon that sees the count go up finds the event when it drains */
  atomic_fetch_add_explicit(q->queued, 1, memory_order_release);
  return true;
}

void ls_evq_push(struct ls_event_queue *q, struct ls_event *ev) {
  pthread_mutex_lock(&q->lock);
  if (!atomic_load_explicit(&q->attached, memory_order_relaxed)) {
    /* nobody to tell: the next consumer learns what is open when it attaches */
    pthread_mutex_unlock(&q->lock);
    ls_event_dispose(ev);
    return;
  }
  push_locked(q, ev, atomic_load_explicit(q->ring_head, memory_order_acquire));
  pthread_mutex_unlock(&q->lock);
}

/* With the lock held: disposes of every queued event. */
static void clear_locked(struct ls_event_queue *q) {
  uint32_t fds = 0;
  for (uint32_t i = 0; i < q->count; i++) {
    struct ls_event *ev = &q->items[(q->head + i) % q->alloc];
    fds += (ev->read_fd >= 0) + (ev->disk_fd >= 0);
    ls_event_dispose(ev);
  }
  q->head = q->count = 0;
  atomic_fetch_sub_explicit(&q->queued_fds, fds, memory_order_relaxed);
}

uint32_t ls_evq_attach_begin(struct ls_event_queue *q) {
  pthread_mutex_lock(&q->lock);
  clear_locked(q);
  atomic_store_explicit(&q->attached, true, memory_order_relaxed);
  return atomic_load_explicit(q->ring_head, memory_order_acquire);
}

bool ls_evq_push_locked(struct ls_event_queue *q, struct ls_event *ev, uint32_t ring_pos) {
  return push_locked(q, ev, ring_pos);
}

void ls_evq_attach_end(struct ls_event_queue *q) { pthread_mutex_unlock(&q->lock); }

void ls_evq_detach(struct ls_event_queue *q) {
  pthread_mutex_lock(&q->lock);
  atomic_store_explicit(&q->attached, false, memory_order_relaxed);
  clear_locked(q);
  pthread_mutex_unlock(&q->lock);
}

size_t ls_evq_take(struct ls_event_queue *q, struct ls_event **out) {
  *out = NULL;
  pthread_mutex_lock(&q->lock);
  size_t n = q->count;
  if (n) {
    struct ls_event *items = malloc(n * sizeof(*items));
    if (!items) {
      /* leave them queued: the next drain may have memory (the count moves, so the daemon asks) */
      atomic_fetch_add_explicit(q->queued, 1, memory_order_release);
      pthread_mutex_unlock(&q->lock);
      return 0;
    }
    uint32_t fds = 0;
    for (size_t i = 0; i < n; i++) {
      items[i] = q->items[(q->head + i) % q->alloc];
      fds += (items[i].read_fd >= 0) + (items[i].disk_fd >= 0);
    }
    q->head = 0;
    q->count = 0;
    atomic_fetch_sub_explicit(&q->queued_fds, fds, memory_order_relaxed);
    *out = items;
  }
  pthread_mutex_unlock(&q->lock);
  return n;
}

bool ls_evq_fd_budget(struct ls_event_queue *q) {
  return atomic_load_explicit(&q->attached, memory_order_relaxed) &&
         atomic_load_explicit(&q->queued_fds, memory_order_relaxed) < LS_EVENTS_MAX_QUEUED_FDS;
}
