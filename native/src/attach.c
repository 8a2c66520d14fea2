#include "attach.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine.h"
#include "ops/ops.h"

struct announced {
  dev_t dev;
  ino_t ino;
  uint32_t id;
};

struct announce {
  struct ls_engine *e;
  uint32_t pos;
  struct announced *list;
  size_t n, cap;
};

/* Under the handle table's lock and the queue's: fd is the handle's own for as long. */
static void announce_open(void *ctx, int fd, uint32_t id, const struct ls_open_info *o) {
  struct announce *a = ctx;
  struct ls_engine *e = a->e;
  struct ls_event ev = {.kind = LS_EV_OPEN, .handle = id, .pid = o->pid, .flags = o->flags, .path = ls_path_of_fd(e, fd)};
  memcpy(ev.comm, o->comm, sizeof(ev.comm));
  ls_event_fds(e, fd, ls_node_of(e, o->ino)->tier, &ev);
  struct stat st;
  bool known = fstat(fd, &st) == 0;
  if (!ls_evq_push_locked(&e->events, &ev, a->pos) || !known) return;
  if (a->n == a->cap) {
    size_t cap = a->cap ? a->cap * 2 : 64;
    struct announced *list = realloc(a->list, cap * sizeof(*list));
    if (!list) return; /* the node keeps whatever it was told before: at worst one question too few */
    a->list = list;
    a->cap = cap;
  }
  a->list[a->n++] = (struct announced){.dev = st.st_dev, .ino = st.st_ino, .id = id};
}

/* With the handle table locked: the queue's lock is taken after it, as the teardown does
 * (docs/architecture.md), and held until every open is queued. */
static void begin(void *ctx) {
  struct announce *a = ctx;
  a->pos = ls_evq_attach_begin(&a->e->events);
}

uint32_t ls_engine_attach(struct ls_engine *e) {
  struct announce a = {.e = e};
  ls_handles_each_file(&e->handles, begin, announce_open, &a);
  ls_evq_attach_end(&e->events);
  /* the new consumer holds descriptors on these files now: their removal must ask it (gone.h) */
  for (size_t i = 0; i < a.n; i++) ls_nodes_mark_told(&e->nodes, a.list[i].dev, a.list[i].ino, a.list[i].id);
  free(a.list);
  return a.pos;
}

void ls_engine_detach(struct ls_engine *e) { ls_evq_detach(&e->events); }
