#include "nodes.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "tiering.h"

#define INITIAL_BUCKETS 1024u

static size_t bucket_of(const struct ls_nodes *t, dev_t dev, ino_t ino) {
  uint64_t h = (uint64_t)ino * 0x9E3779B97F4A7C15ull ^ (uint64_t)dev;
  return (size_t)(h >> 17) & (t->nbuckets - 1);
}

/* A node that let go of its file (ls_nodes_let_go) is no longer found by its inode number. */
static struct ls_node *find(struct ls_nodes *t, dev_t dev, ino_t ino) {
  if (!t->buckets) return NULL; /* destroyed */
  struct ls_node *n = t->buckets[bucket_of(t, dev, ino)];
  while (n && !(n->dev == dev && n->ino == ino && !n->let_go)) n = n->next;
  return n;
}

static void insert(struct ls_nodes *t, struct ls_node *n) {
  size_t b = bucket_of(t, n->dev, n->ino);
  n->next = t->buckets[b];
  t->buckets[b] = n;
}

/* With the lock held. A table that cannot grow keeps working, only with longer chains. */
static void maybe_grow(struct ls_nodes *t) {
  if (t->count <= t->nbuckets * 2) return;
  struct ls_node **old = t->buckets;
  size_t oldn = t->nbuckets;
  struct ls_node **fresh = calloc(oldn * 2, sizeof(*fresh));
  if (!fresh) return;
  t->buckets = fresh;
  t->nbuckets = oldn * 2;
  for (size_t i = 0; i < oldn; i++) {
    for (struct ls_node *n = old[i], *next; n; n = next) {
      next = n->next;
      insert(t, n);
    }
  }
  free(old);
}

int ls_nodes_init(struct ls_nodes *t, int root_fd) {
  memset(t, 0, sizeof(*t));
  struct stat st;
  if (fstatat(root_fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) return -errno;
  if (!S_ISDIR(st.st_mode)) return -ENOTDIR;
  t->buckets = calloc(INITIAL_BUCKETS, sizeof(*t->buckets));
  if (!t->buckets) return -ENOMEM;
  t->nbuckets = INITIAL_BUCKETS;
  int r = pthread_mutex_init(&t->lock, NULL);
  if (r) {
    free(t->buckets);
    return -r;
  }
  /* An unnamed empty file for nodes whose file is gone to point at (ls_nodes_let_go); the
   * file dies with the table. Without it (no O_TMPFILE) gone files wait for the kernel's forget. */
  t->placeholder_fd = -1;
  int tmp = openat(root_fd, ".", O_TMPFILE | O_EXCL | O_RDWR | O_CLOEXEC, 0600); /* never linkable */
  if (tmp >= 0) {
    char proc[40];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", tmp);
    t->placeholder_fd = open(proc, O_PATH | O_CLOEXEC);
    close(tmp);
  }
  t->root.fd = root_fd; /* owned by the engine */
  t->root.dev = st.st_dev;
  t->root.ino = st.st_ino;
  t->root.type = S_IFDIR;
  /* in the table so that a name reaching the root again (a bind mount) finds node 1 */
  insert(t, &t->root);
  return 0;
}

void ls_nodes_destroy(struct ls_nodes *t) {
  if (!t->buckets) return;
  /* under the lock, and the lock stays: JavaScript may still call in (punchIfIdle,
   * consumerDone) after a connection ended behind its back, and then finds no table */
  pthread_mutex_lock(&t->lock);
  for (size_t i = 0; i < t->nbuckets; i++) {
    for (struct ls_node *n = t->buckets[i], *next; n; n = next) {
      next = n->next;
      if (n == &t->root) continue;
      close(n->fd);
      free(n);
    }
  }
  free(t->buckets);
  t->buckets = NULL;
  if (t->placeholder_fd >= 0) close(t->placeholder_fd);
  t->placeholder_fd = -1;
  pthread_mutex_unlock(&t->lock);
}

struct ls_node *ls_node_of(struct ls_engine *e, fuse_ino_t ino) {
  if (ino == FUSE_ROOT_ID) return &e->nodes.root;
  return (struct ls_node *)(uintptr_t)ino;
}

void ls_entry_init(struct ls_engine *e, struct fuse_entry_param *ep) {
  memset(ep, 0, sizeof(*ep));
  ep->attr_timeout = e->attr_timeout;
  ep->entry_timeout = e->entry_timeout;
}

int ls_nodes_adopt(struct ls_engine *e, int fd, struct fuse_entry_param *ep) {
  struct ls_nodes *t = &e->nodes;
  struct stat st;
  if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
    int err = -errno;
    close(fd);
    return err;
  }
  pthread_mutex_lock(&t->lock);
  struct ls_node *n = find(t, st.st_dev, st.st_ino);
  if (n) {
    n->nlookup++;
    pthread_mutex_unlock(&t->lock);
    close(fd);
  } else {
    n = calloc(1, sizeof(*n));
    if (!n) {
      pthread_mutex_unlock(&t->lock);
      close(fd);
      return -ENOMEM;
    }
    n->fd = fd;
    n->dev = st.st_dev;
    n->ino = st.st_ino;
    n->type = st.st_mode & S_IFMT;
    n->nlookup = 1;
    insert(t, n);
    t->count++;
    maybe_grow(t);
    pthread_mutex_unlock(&t->lock);
  }
  ls_entry_init(e, ep);
  ep->ino = n == &t->root ? FUSE_ROOT_ID : (fuse_ino_t)(uintptr_t)n;
  ls_tiering_stat(e, NULL, &st);
  ep->attr = st;
  return 0;
}

int ls_nodes_lookup(struct ls_engine *e, struct ls_node *parent, const char *name,
                    struct fuse_entry_param *ep) {
  /* the kernel resolves "." and ".." itself; from us they could only climb out of the root */
  if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) return -EINVAL;
  int fd = openat(parent->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return -errno;
  return ls_nodes_adopt(e, fd, ep);
}

void ls_nodes_forget(struct ls_engine *e, fuse_ino_t ino, uint64_t nlookup) {
  if (ino == FUSE_ROOT_ID) return;
  struct ls_nodes *t = &e->nodes;
  struct ls_node *n = (struct ls_node *)(uintptr_t)ino;
  pthread_mutex_lock(&t->lock);
  if (n->nlookup > nlookup) {
    n->nlookup -= nlookup;
    pthread_mutex_unlock(&t->lock);
    return;
  }
  struct ls_node **p = &t->buckets[bucket_of(t, n->dev, n->ino)];
  while (*p && *p != n) p = &(*p)->next;
  if (*p) *p = n->next;
  t->count--;
  pthread_mutex_unlock(&t->lock);
  close(n->fd);
  free(n);
}

int ls_nodes_opened(struct ls_engine *e, fuse_ino_t ino, bool writer, uint32_t id, struct ls_tier **tier) {
  struct ls_nodes *t = &e->nodes;
  pthread_mutex_lock(&t->lock);
  struct ls_node *n = ls_node_of(e, ino);
  if (n->let_go) {
    /* opened through a name looked up before the file went: as stale as that name */
    pthread_mutex_unlock(&t->lock);
    return -ENOENT;
  }
  if (*tier && !n->tier) {
    n->tier = *tier;
    *tier = NULL;
  }
  n->handles++;
  if (writer) n->writers++;
  n->told = true;
  n->last_open = id;
  pthread_mutex_unlock(&t->lock);
  return 0;
}

void ls_nodes_consumer_done(struct ls_nodes *t, dev_t dev, ino_t ino, uint32_t last_open) {
  pthread_mutex_lock(&t->lock);
  struct ls_node *n = find(t, dev, ino);
  if (n && n->last_open == last_open) n->told = false;
  pthread_mutex_unlock(&t->lock);
}

void ls_nodes_mark_told(struct ls_nodes *t, dev_t dev, ino_t ino, uint32_t id) {
  pthread_mutex_lock(&t->lock);
  struct ls_node *n = find(t, dev, ino);
  if (n) {
    n->told = true;
    if (id > n->last_open) n->last_open = id;
  }
  pthread_mutex_unlock(&t->lock);
}

bool ls_nodes_told(struct ls_nodes *t, dev_t dev, ino_t ino) {
  pthread_mutex_lock(&t->lock);
  struct ls_node *n = find(t, dev, ino);
  bool told = n && n->told;
  pthread_mutex_unlock(&t->lock);
  return told;
}

bool ls_nodes_released(struct ls_engine *e, fuse_ino_t ino, bool writer, struct ls_tier **tier) {
  struct ls_nodes *t = &e->nodes;
  pthread_mutex_lock(&t->lock);
  struct ls_node *n = ls_node_of(e, ino);
  n->handles--;
  if (writer) n->writers--;
  bool last = n->handles == 0;
  *tier = last ? n->tier : NULL;
  if (last) n->tier = NULL;
  pthread_mutex_unlock(&t->lock);
  return last;
}

bool ls_nodes_let_go(struct ls_nodes *t, dev_t dev, ino_t ino) {
  pthread_mutex_lock(&t->lock);
  struct ls_node *n = find(t, dev, ino);
  struct stat st;
  /* the file's own word, under the lock that opens take: no name and no handle left */
  bool idle = n && n != &t->root && n->handles == 0 && fstat(n->fd, &st) == 0 && st.st_nlink == 0;
  /* dup3 and not close: the number stays ours, so an operation racing on it can never reach
   * a descriptor that a concurrent open was given */
  if (idle && t->placeholder_fd >= 0 && dup3(t->placeholder_fd, n->fd, O_CLOEXEC) >= 0) n->let_go = true;
  bool told = idle && n->told;
  pthread_mutex_unlock(&t->lock);
  return told;
}

/* The caller measured the end of file before it asked, and a writer may have opened, appended
 * past that end and closed since (open-append-close loggers do it hundreds of times a second):
 * a punch from the caller's measure would zero those lines. Under the lock no handle can write,
 * so the end measured here is final while the punch runs, and nothing below it is punched. */
static int punch_past_end(int fd, off_t offset, off_t length) {
  struct stat st;
  if (fstat(fd, &st) < 0) return -errno;
  const off_t page = 4096;
  off_t end_page = st.st_size > INT64_MAX - page ? INT64_MAX : (st.st_size + page - 1) / page * page;
  off_t to = length > INT64_MAX - offset ? INT64_MAX : offset + length;
  off_t from = offset > end_page ? offset : end_page;
  if (from >= to) return 0;
  return fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, from, to - from) < 0 ? -errno : 0;
}

int ls_nodes_punch_if_idle(struct ls_nodes *t, dev_t dev, ino_t ino, int fd, off_t offset, off_t length) {
  pthread_mutex_lock(&t->lock);
  struct ls_node *n = find(t, dev, ino);
  int r = n && n->writers > 0 ? -EBUSY : punch_past_end(fd, offset, length);
  pthread_mutex_unlock(&t->lock);
  return r;
}
