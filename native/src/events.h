/*
 * The file-event queue: the rare operations (open, release, rename, unlink, truncate) that give
 * the write records their meaning. Unlike the ring it may allocate and it takes a mutex; it is
 * bounded so that a consumer that stops draining cannot make the engine grow without end.
 *
 * Events are queued only while a consumer (the daemon) is attached: with nobody to hand them to,
 * an event would only hold memory and descriptors. A consumer that attaches is told instead what
 * is open at that moment (attach.h), which is all the earlier events would have told it.
 */
#ifndef LOGSHADOW_EVENTS_H
#define LOGSHADOW_EVENTS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LS_EVENTS_DEFAULT_CAPACITY 65536u
/* Descriptors queued and not yet handed over. Past this, open events carry readFd -1: a consumer
 * that stops draining must not exhaust the descriptors the data path itself needs. */
#define LS_EVENTS_MAX_QUEUED_FDS 1024u

enum ls_event_kind { LS_EV_OPEN, LS_EV_RELEASE, LS_EV_RENAME, LS_EV_UNLINK, LS_EV_TRUNCATE };
#define LS_EVENT_SIZE_UNKNOWN UINT64_MAX

struct ls_event {
  uint8_t kind;
  uint8_t created;
  uint32_t handle;
  uint32_t ring_pos; /* the ring's head when queued: records before it happened before */
  int32_t pid;
  int32_t flags;
  int32_t read_fd; /* owned by the event until handed to JavaScript */
  int32_t disk_fd; /* tiered files: the disk copy, read below the synced boundary; else -1 */
  char comm[16];   /* open: the opener's process name, read at open time (it may exit at once) */
  uint64_t size; /* truncate: the new size; open: the size at the open, or LS_EVENT_SIZE_UNKNOWN */
  char *path;  /* open, unlink, truncate; rename: from */
  char *path2; /* rename: to */
};

struct ls_event_queue {
  pthread_mutex_t lock;
  const _Atomic uint32_t *ring_head;
  struct ls_event *items; /* circular, grows by doubling up to capacity */
  uint32_t alloc;
  uint32_t capacity;
  uint32_t head;
  uint32_t count;
  _Atomic uint32_t queued_fds;
  _Atomic uint64_t *dropped; /* counters the daemon reads (shared.h) */
  _Atomic uint64_t *queued;
  _Atomic bool attached; /* changed under the lock; read without it only as a hint */
};

int ls_evq_init(struct ls_event_queue *q, uint32_t capacity, const _Atomic uint32_t *ring_head,
                _Atomic uint64_t *dropped, _Atomic uint64_t *queued);
/* Frees what is left, closing descriptors nobody will ever receive. */
void ls_evq_destroy(struct ls_event_queue *q);
/* Takes ownership of ev's paths and descriptor, also when the event has to be dropped. Stamps
 * ev->ring_pos under the queue's lock, so positions never decrease in queue order. */
void ls_evq_push(struct ls_event_queue *q, struct ls_event *ev);
/* Moves every queued event into a new array (*out, free() it); returns the count. */
size_t ls_evq_take(struct ls_event_queue *q, struct ls_event **out);
void ls_event_dispose(struct ls_event *ev);
/* Whether an event may carry a descriptor: a consumer is attached and fewer than
 * LS_EVENTS_MAX_QUEUED_FDS are queued. */
bool ls_evq_fd_budget(struct ls_event_queue *q);

/* A consumer attaches: what is queued goes, events are queued from now on, and the queue stays
 * locked until ls_evq_attach_end, so that the events made for the attach (pushed with
 * ls_evq_push_locked at the returned ring head) come before any other. */
uint32_t ls_evq_attach_begin(struct ls_event_queue *q);
bool ls_evq_push_locked(struct ls_event_queue *q, struct ls_event *ev, uint32_t ring_pos);
void ls_evq_attach_end(struct ls_event_queue *q);
/* The consumer went: nothing is queued any more, and what was is disposed of. */
void ls_evq_detach(struct ls_event_queue *q);

#endif
