#include "client.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "wire.h"

struct waiter {
  struct waiter *next;
  uint32_t id;
  /* a call that waits: */
  bool done;
  int status;
  struct ls_msg msg;
  /* or one answered by callback: */
  ls_client_fn fn;
  void *ctx;
};

struct ls_client {
  int fd;
  pthread_mutex_t lock;
  pthread_cond_t cond; /* CLOCK_MONOTONIC */
  struct waiter *waiters;
  _Atomic uint32_t next_id;
  bool started;
  bool closed;
  int end_status;
  pthread_t reader;
  ls_client_fn unasked;
  void *ctx;
  char buf[LS_LINK_MAX_MSG]; /* the reader's */
};

void ls_msg_dispose(struct ls_msg *m) {
  free(m->payload);
  m->payload = NULL;
  ls_link_close_fds(m->fds, m->nfds);
  m->nfds = 0;
}

int ls_client_connect(const char *path, struct ls_client **out) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof(addr.sun_path)) return -ENAMETOOLONG;
  strcpy(addr.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
    int r = -errno;
    close(fd);
    return r;
  }
  struct ls_client *c = calloc(1, sizeof(*c));
  if (!c) {
    close(fd);
    return -ENOMEM;
  }
  c->fd = fd;
  atomic_init(&c->next_id, 1);
  pthread_mutex_init(&c->lock, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&c->cond, &ca);
  pthread_condattr_destroy(&ca);
  *out = c;
  return 0;
}

/* One packet off the socket into a fresh message: 0 or -errno. */
static int receive(struct ls_client *c, struct ls_msg *m) {
  memset(m, 0, sizeof(*m));
  ssize_t n = ls_link_recv(c->fd, &m->h, c->buf, sizeof(c->buf), m->fds, &m->nfds);
  if (n < 0) return (int)n;
  m->payload = malloc((size_t)n + 1);
  if (!m->payload) {
    ls_link_close_fds(m->fds, m->nfds);
    m->nfds = 0;
    return -ENOMEM;
  }
  memcpy(m->payload, c->buf, (size_t)n);
  return 0;
}

/* With the lock held: the waiter for a reply id, unlinked. */
static struct waiter *take_waiter(struct ls_client *c, uint32_t id) {
  for (struct waiter **p = &c->waiters; *p; p = &(*p)->next)
    if ((*p)->id == id) {
      struct waiter *w = *p;
      *p = w->next;
      return w;
    }
  return NULL;
}

/* The connection ended: every call still waiting fails. */
static void end_all(struct ls_client *c, int status) {
  pthread_mutex_lock(&c->lock);
  c->closed = true;
  c->end_status = status;
  struct waiter *ws = c->waiters;
  c->waiters = NULL;
  struct waiter *async = NULL;
  for (struct waiter *w = ws, *next; w; w = next) {
    next = w->next;
    if (w->fn) {
      w->next = async;
      async = w;
    } else {
      w->done = true;
      w->status = status;
    }
  }
  pthread_cond_broadcast(&c->cond);
  pthread_mutex_unlock(&c->lock);
  for (struct waiter *w = async, *next; w; w = next) {
    next = w->next;
    w->fn(w->ctx, NULL, status);
    free(w);
  }
}

static void *reader_main(void *arg) {
  struct ls_client *c = arg;
  int status;
  for (;;) {
    struct ls_msg m;
    status = receive(c, &m);
    if (status == -ENOMEM) continue; /* that packet is lost; the next may fit */
    if (status < 0) break;
    if (!(m.h.op & LS_LINK_REPLY)) {
      c->unasked(c->ctx, &m, 0);
      continue;
    }
    pthread_mutex_lock(&c->lock);
    struct waiter *w = take_waiter(c, m.h.id);
    bool handed = w && !w->fn;
    if (handed) {
      w->msg = m;
      w->done = true;
      w->status = 0;
      pthread_cond_broadcast(&c->cond);
    }
    pthread_mutex_unlock(&c->lock);
    if (handed) continue; /* the caller frees its waiter */
    if (w) {
      w->fn(w->ctx, &m, 0);
      free(w);
    } else {
      ls_msg_dispose(&m); /* its caller gave up waiting */
    }
  }
  end_all(c, status);
  c->unasked(c->ctx, NULL, status);
  return NULL;
}

int ls_client_start(struct ls_client *c, ls_client_fn unasked, void *ctx) {
  c->unasked = unasked;
  c->ctx = ctx;
  int r = pthread_create(&c->reader, NULL, reader_main, c);
  if (r == 0) {
    c->started = true;
    /* The daemon keeps threads named ls-* at normal priority (DaemonPriority): this one only
     * waits for the engine, and what it hands over is waited for. */
    pthread_setname_np(c->reader, "ls-link");
  }
  return -r;
}

static int send_request(struct ls_client *c, uint16_t op, uint32_t id, const void *payload, size_t len, const int *fds,
                        unsigned nfds) {
  struct ls_link_header h = {.op = op, .id = id, .len = (uint32_t)len};
  return ls_link_send(c->fd, &h, payload, fds, nfds, 0);
}

static struct timespec deadline_in(int ms) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  t.tv_sec += ms / 1000;
  t.tv_nsec += (long)(ms % 1000) * 1000000L;
  if (t.tv_nsec >= 1000000000L) {
    t.tv_sec++;
    t.tv_nsec -= 1000000000L;
  }
  return t;
}

/* Before the reader runs: the reply is the next packet (nothing else is sent unasked yet). */
static int call_unstarted(struct ls_client *c, uint32_t id, struct ls_msg *reply, int timeout_ms) {
  struct pollfd p = {.fd = c->fd, .events = POLLIN};
  int n;
  do n = poll(&p, 1, timeout_ms);
  while (n < 0 && errno == EINTR);
  if (n == 0) return -ETIMEDOUT;
  if (n < 0) return -errno;
  int r = receive(c, reply);
  if (r < 0) return r;
  if (reply->h.id != id || !(reply->h.op & LS_LINK_REPLY)) {
    ls_msg_dispose(reply);
    return -EPROTO;
  }
  return 0;
}

int ls_client_call(struct ls_client *c, uint16_t op, const void *payload, size_t len, const int *fds, unsigned nfds,
                   struct ls_msg *reply, int timeout_ms) {
  memset(reply, 0, sizeof(*reply));
  uint32_t id = atomic_fetch_add(&c->next_id, 1);
  if (!c->started) {
    int r = send_request(c, op, id, payload, len, fds, nfds);
    return r < 0 ? r : call_unstarted(c, id, reply, timeout_ms);
  }
  struct waiter *w = calloc(1, sizeof(*w));
  if (!w) return -ENOMEM;
  w->id = id;
  pthread_mutex_lock(&c->lock);
  if (c->closed) {
    int r = c->end_status ? c->end_status : -ECONNRESET;
    pthread_mutex_unlock(&c->lock);
    free(w);
    return r;
  }
  w->next = c->waiters;
  c->waiters = w;
  pthread_mutex_unlock(&c->lock);
  int r = send_request(c, op, id, payload, len, fds, nfds);
  struct timespec until = deadline_in(timeout_ms);
  pthread_mutex_lock(&c->lock);
  while (r == 0 && !w->done)
    if (pthread_cond_timedwait(&c->cond, &c->lock, &until) == ETIMEDOUT) r = -ETIMEDOUT;
  if (!w->done) take_waiter(c, id); /* a reply after this is dropped by the reader */
  pthread_mutex_unlock(&c->lock);
  if (r == 0) r = w->status;
  if (r == 0)
    *reply = w->msg;
  else if (w->done)
    ls_msg_dispose(&w->msg);
  free(w);
  return r;
}

int ls_client_call_async(struct ls_client *c, uint16_t op, const void *payload, size_t len, ls_client_fn fn,
                         void *ctx) {
  struct waiter *w = calloc(1, sizeof(*w));
  if (!w) return -ENOMEM;
  w->id = atomic_fetch_add(&c->next_id, 1);
  w->fn = fn;
  w->ctx = ctx;
  pthread_mutex_lock(&c->lock);
  if (c->closed || !c->started) {
    pthread_mutex_unlock(&c->lock);
    free(w);
    return c->closed ? -ECONNRESET : -EINVAL;
  }
  w->next = c->waiters;
  c->waiters = w;
  pthread_mutex_unlock(&c->lock);
  int r = send_request(c, op, w->id, payload, len, NULL, 0);
  if (r < 0) {
    pthread_mutex_lock(&c->lock);
    bool mine = take_waiter(c, w->id) == w;
    pthread_mutex_unlock(&c->lock);
    /* not mine: the reader ended the connection and has called (or is calling) fn itself */
    if (!mine) return 0;
    free(w);
  }
  return r;
}

int ls_client_send(struct ls_client *c, uint16_t op, const void *payload, size_t len) {
  return send_request(c, op, atomic_fetch_add(&c->next_id, 1), payload, len, NULL, 0);
}

void ls_client_close(struct ls_client *c) {
  shutdown(c->fd, SHUT_RDWR);
  if (c->started)
    pthread_join(c->reader, NULL);
  else
    end_all(c, -ECONNRESET);
  close(c->fd);
  pthread_cond_destroy(&c->cond);
  pthread_mutex_destroy(&c->lock);
  free(c);
}
