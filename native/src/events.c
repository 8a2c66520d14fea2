#include "events.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ls_evq_init(struct ls_event_queue *q, uint32_t capacity, const _Atomic uint32_t *ring_head) {
  memset(q, 0, sizeof(*q));
  q->ring_head = ring_head;
  q->capacity = capacity ? capacity : LS_EVENTS_DEFAULT_CAPACITY;
  atomic_init(&q->dropped, 0);
  atomic_init(&q->queued_fds, 0);
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

void ls_evq_push(struct ls_event_queue *q, struct ls_event *ev) {
  pthread_mutex_lock(&q->lock);
  /* The last quarter is kept for releases: a dropped release would leave its handle open in the
   * consumer's tables forever, while a dropped open only leaves its writes unattributed. */
  uint32_t limit = ev->kind == LS_EV_RELEASE ? q->capacity : q->capacity - q->capacity / 4;
  if (q->count >= limit || (q->count == q->alloc && grow(q) != 0)) {
    pthread_mutex_unlock(&q->lock);
    atomic_fetch_add_explicit(&q->dropped, 1, memory_order_relaxed);
    ls_event_dispose(ev);
    return;
  }
  ev->ring_pos = atomic_load_explicit(q->ring_head, memory_order_acquire);
  q->items[(q->head + q->count) % q->alloc] = *ev;
  q->count++;
  uint32_t fds = (ev->read_fd >= 0) + (ev->disk_fd >= 0);
  if (fds) atomic_fetch_add_explicit(&q->queued_fds, fds, memory_order_relaxed);
  pthread_mutex_unlock(&q->lock);
}

size_t ls_evq_take(struct ls_event_queue *q, struct ls_event **out) {
  *out = NULL;
  pthread_mutex_lock(&q->lock);
  size_t n = q->count;
  if (n) {
    struct ls_event *items = malloc(n * sizeof(*items));
    if (!items) {
      /* leave them queued: the next drain may have memory */
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
  return atomic_load_explicit(&q->queued_fds, memory_order_relaxed) < LS_EVENTS_MAX_QUEUED_FDS;
}
