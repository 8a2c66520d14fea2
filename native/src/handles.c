#include "handles.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ls_handles_init(struct ls_handles *h) {
  memset(h, 0, sizeof(*h));
  return -pthread_mutex_init(&h->lock, NULL);
}

/* With the lock held. Descriptors are small integers, so an array indexed by them stays small. */
static int reserve(struct ls_handles *h, int fd) {
  if ((size_t)fd < h->cap) return 0;
  size_t cap = h->cap ? h->cap : 256;
  while (cap <= (size_t)fd) cap *= 2;
  struct ls_handle_slot *slots = realloc(h->by_fd, cap * sizeof(*slots));
  if (!slots) return -ENOMEM;
  memset(slots + h->cap, 0, (cap - h->cap) * sizeof(*slots));
  h->by_fd = slots;
  h->cap = cap;
  return 0;
}

int ls_handles_add(struct ls_handles *h, int fd, uint32_t id, struct ls_dir *dir, const struct ls_open_info *open) {
  if (fd < 0) return -EBADF;
  pthread_mutex_lock(&h->lock);
  int r = reserve(h, fd);
  if (r == 0) {
    h->by_fd[fd].id = id;
    h->by_fd[fd].dir = dir;
    if (open) h->by_fd[fd].open = *open;
  }
  pthread_mutex_unlock(&h->lock);
  return r;
}

struct ls_dir *ls_handles_remove(struct ls_handles *h, int fd) {
  struct ls_dir *dir = NULL;
  pthread_mutex_lock(&h->lock);
  if (fd >= 0 && (size_t)fd < h->cap) {
    dir = h->by_fd[fd].dir;
    h->by_fd[fd].id = 0;
    h->by_fd[fd].dir = NULL;
  }
  pthread_mutex_unlock(&h->lock);
  return dir;
}

struct ls_dir *ls_handles_dir(struct ls_handles *h, int fd) {
  struct ls_dir *dir = NULL;
  pthread_mutex_lock(&h->lock);
  if (fd >= 0 && (size_t)fd < h->cap) dir = h->by_fd[fd].dir;
  pthread_mutex_unlock(&h->lock);
  return dir;
}

void ls_handles_each_file(struct ls_handles *h, void (*first)(void *ctx),
                          void (*fn)(void *ctx, int fd, uint32_t id, const struct ls_open_info *open),
                          void *ctx) {
  pthread_mutex_lock(&h->lock);
  first(ctx);
  for (size_t fd = 0; fd < h->cap; fd++) {
    struct ls_handle_slot *s = &h->by_fd[fd];
    if (s->id && !s->dir) fn(ctx, (int)fd, s->id, &s->open);
  }
  pthread_mutex_unlock(&h->lock);
}

void ls_handles_close_all(struct ls_handles *h, void (*released)(void *ctx, uint32_t id), void *ctx) {
  pthread_mutex_lock(&h->lock);
  for (size_t fd = 0; fd < h->cap; fd++) {
    struct ls_handle_slot *s = &h->by_fd[fd];
    if (!s->id) continue;
    if (s->dir) {
      closedir(s->dir->dp);
      free(s->dir);
    } else {
      close((int)fd);
      released(ctx, s->id);
    }
    s->id = 0;
    s->dir = NULL;
  }
  pthread_mutex_unlock(&h->lock);
}

void ls_handles_destroy(struct ls_handles *h) {
  free(h->by_fd);
  pthread_mutex_destroy(&h->lock);
  memset(h, 0, sizeof(*h));
}
