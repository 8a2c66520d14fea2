#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../attach.h"
#include "../engine.h"
#include "../link/wire.h"
#include "../mountinfo.h"
#include "../path_below.h"
#include "elog.h"

#define MAX_CONNS 32
/* A peer that stops reading cannot hold the poll thread longer than this per reply. */
#define SEND_TIMEOUT_MS 5000
/* Jobs still running at exit are given this long. */
#define JOBS_GRACE_MS 10000

struct conn {
  _Atomic int refs;
  int fd;
  pid_t pid;
  int role; /* 0 until HELLO */
  /* DRAIN: events taken from the queue and not yet sent (the consumer's only) */
  struct ls_event *pending;
  size_t npending, next;
};

struct server {
  struct ls_engine *e;
  const struct ls_server_options *o;
  struct ls_supervisor *sup;
  int listen_fd, signal_fd, wake_fd;
  struct conn *conns[MAX_CONNS];
  size_t nconns;
  struct conn *consumer;
  _Atomic int ram_dir_fd;   /* ours to hand out until the unmount closes it */
  _Atomic bool unmounting;  /* an unmount was asked for: the loop's end is no surprise */
  _Atomic bool unmounted;   /* an unmount has run (its job set this) */
  _Atomic bool settled;     /* by the daemon, which then takes down the RAM side itself */
  _Atomic int jobs;         /* threads still answering a request */
  bool ended;               /* the FUSE loop is over */
  bool stopping;            /* SIGTERM or SIGINT */
  double stop_deadline_ms;
  double detached_since_ms;
  uint64_t attaches;
  char buf[LS_LINK_MAX_MSG];
};

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static struct conn *conn_get(struct conn *c) {
  atomic_fetch_add(&c->refs, 1);
  return c;
}

static void conn_put(struct conn *c) {
  if (atomic_fetch_sub(&c->refs, 1) != 1) return;
  for (size_t i = c->next; i < c->npending; i++) ls_event_dispose(&c->pending[i]);
  free(c->pending);
  close(c->fd);
  free(c);
}

static void wake(struct server *s) {
  uint64_t one = 1;
  if (write(s->wake_fd, &one, sizeof(one)) < 0) {
    /* the counter cannot overflow with one write per job */
  }
}

static int reply(struct conn *c, const struct ls_link_header *req, int status, uint16_t flags, const void *payload,
                 size_t len, const int *fds, unsigned nfds) {
  struct ls_link_header h = {.op = (uint16_t)(req->op | LS_LINK_REPLY), .flags = flags, .id = req->id,
                             .status = status, .len = (uint32_t)len};
  return ls_link_send(c->fd, &h, payload, fds, nfds, 0);
}

/* ---- the file-gone questions, sent from FUSE threads (gone.h) ---- */

static bool ask_consumer(void *ctx, dev_t dev, ino_t ino, uint64_t ticket) {
  struct conn *c = ctx;
  struct ls_link_gone g = {.dev = dev, .ino = ino, .ticket = ticket};
  struct ls_link_header h = {.op = LS_LINK_GONE, .len = sizeof(g)};
  /* never waits for the socket: a daemon that does not read costs the question, not the FUSE thread */
  return ls_link_send(c->fd, &h, &g, NULL, 0, MSG_DONTWAIT) == 0;
}

/* ---- jobs: requests that wait, answered from a thread of their own ---- */

struct job {
  struct server *s;
  struct conn *c;
  bool by_consumer;
  struct ls_link_header h;
  struct ls_link_sync sync;
};

/* Answers the job's request and lets the poll thread know it is over. */
static void end_job(struct job *j, const void *payload, size_t len) {
  reply(j->c, &j->h, 0, 0, payload, len, NULL, 0);
  conn_put(j->c);
  atomic_fetch_sub(&j->s->jobs, 1);
  wake(j->s);
  free(j);
}

static void *sync_job(void *arg) {
  struct job *j = arg;
  struct ls_tiers *ts = j->s->e->tiers;
  struct ls_link_synced out = {0};
  double t0 = ls_tier_now_ms();
  out.result = ls_tiers_sync(ts, j->sync.all != 0, (dev_t)j->sync.dev, (ino_t)j->sync.ino,
                             (enum ls_sync_trigger)j->sync.trigger, true, j->sync.timeout_ms, &out.bytes);
  out.ms = ls_tier_now_ms() - t0;
  end_job(j, &out, sizeof(out));
  return NULL;
}

/* The unmount and its final sync; then the RAM directory is let go of, so that the daemon can
 * take its tmpfs down once every tail is on disk. */
static void unmount_now(struct server *s, struct ls_unmount_result *res) {
  ls_engine_unmount(s->e, res);
  int ram = atomic_exchange(&s->ram_dir_fd, -1);
  if (ram >= 0) close(ram);
  atomic_store(&s->unmounted, true);
}

static void *unmount_job(void *arg) {
  struct job *j = arg;
  struct ls_unmount_result res;
  if (j->by_consumer) atomic_store(&j->s->settled, true);
  unmount_now(j->s, &res);
  struct ls_link_unmounted out = {.was_mounted = res.was_mounted, .lazy = res.lazy, .stopped = res.stopped,
                                  .error = res.error, .unsynced_left = res.unsynced_left};
  end_job(j, &out, sizeof(out));
  return NULL;
}

static void start_job(struct server *s, struct conn *c, const struct ls_link_header *h, void *(*fn)(void *),
                      const struct ls_link_sync *sync) {
  struct job *j = calloc(1, sizeof(*j));
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  if (j) {
    *j = (struct job){.s = s, .c = conn_get(c), .by_consumer = c == s->consumer, .h = *h};
    if (sync) j->sync = *sync;
    atomic_fetch_add(&s->jobs, 1);
  }
  if (!j || pthread_create(&t, &attr, fn, j) != 0) {
    if (j) {
      atomic_fetch_sub(&s->jobs, 1);
      conn_put(c);
      free(j);
    }
    reply(c, h, -ENOMEM, 0, NULL, 0, NULL, 0);
  }
  pthread_attr_destroy(&attr);
}

/* ---- requests ---- */

static uint32_t link_flags(struct server *s) {
  struct ls_engine *e = s->e;
  return (e->tiers ? LS_LINK_TIERED : 0) | (e->writeback ? LS_LINK_WRITEBACK : 0) |
         (e->xattr ? LS_LINK_XATTR : 0) | (s->ended ? LS_LINK_ENDED : 0) |
         (atomic_load(&s->unmounted) ? LS_LINK_UNMOUNTED : 0);
}

static void hello(struct server *s, struct conn *c, const struct ls_link_header *h, const void *p, size_t len) {
  const struct ls_link_hello *in = p;
  struct ls_link_welcome w = {.version = LS_LINK_VERSION, .max_write = s->e->max_write, .engine_pid = getpid()};
  snprintf(w.device, sizeof(w.device), "%s", s->e->mount_dev);
  if (len < sizeof(*in) || in->version != LS_LINK_VERSION || in->counters_bytes != sizeof(struct ls_counters) ||
      in->totals_bytes != sizeof(struct ls_tier_totals) || (in->role != LS_LINK_CONSUMER && in->role != LS_LINK_OBSERVER)) {
    reply(c, h, -EPROTO, 0, &w, sizeof(w), NULL, 0);
    return;
  }
  w.flags = link_flags(s);
  if (in->role == LS_LINK_OBSERVER) {
    c->role = LS_LINK_OBSERVER;
    w.consumer_pid = s->consumer ? s->consumer->pid : 0;
    reply(c, h, 0, 0, &w, sizeof(w), NULL, 0);
    return;
  }
  if (s->consumer) {
    w.consumer_pid = s->consumer->pid;
    reply(c, h, -EBUSY, 0, &w, sizeof(w), NULL, 0);
    return;
  }
  if (s->ended || s->stopping || atomic_load(&s->unmounted)) {
    reply(c, h, -ESHUTDOWN, 0, &w, sizeof(w), NULL, 0);
    return;
  }
  c->role = LS_LINK_CONSUMER;
  w.consumer_pid = c->pid;
  /* the question handler holds a reference until it is cleared (drop_consumer) */
  if (!ls_gone_set_handler(s->e, ask_consumer, conn_get(c))) {
    conn_put(c);
    reply(c, h, -EBUSY, 0, &w, sizeof(w), NULL, 0);
    return;
  }
  s->consumer = c;
  w.ring_head = ls_engine_attach(s->e);
  int fds[3] = {s->e->shared.fd, s->o->backing_fd, atomic_load(&s->ram_dir_fd)};
  w.fds = fds[2] >= 0 ? 3 : 2;
  s->attaches++;
  ls_sup_attached(s->sup, now_ms());
  if (reply(c, h, 0, 0, &w, sizeof(w), fds, w.fds) == 0)
    ls_elog("info", "a daemon attached (pid %d)%s", (int)c->pid, s->attaches > 1 ? ": it reads what it missed from the files" : "");
}

static void drain(struct server *s, struct conn *c, const struct ls_link_header *h) {
  if (c->next == c->npending) {
    free(c->pending);
    c->pending = NULL;
    c->next = 0;
    c->npending = ls_evq_take(&s->e->events, &c->pending);
  }
  size_t len = 0;
  int fds[LS_LINK_MAX_FDS];
  unsigned nfds = 0;
  size_t first = c->next;
  while (c->next < c->npending) {
    struct ls_event *ev = &c->pending[c->next];
    size_t plen = ev->path ? strlen(ev->path) : 0, p2len = ev->path2 ? strlen(ev->path2) : 0;
    if (plen > UINT16_MAX || p2len > UINT16_MAX) plen = p2len = 0; /* cannot happen below PATH_MAX */
    size_t need = (sizeof(struct ls_link_event) + plen + p2len + 7) & ~(size_t)7;
    unsigned nf = (ev->read_fd >= 0) + (ev->disk_fd >= 0);
    if (sizeof(struct ls_link_header) + len + need > LS_LINK_MAX_MSG || nfds + nf > LS_LINK_MAX_FDS) break;
    struct ls_link_event *r = (struct ls_link_event *)(s->buf + len);
    *r = (struct ls_link_event){.kind = ev->kind, .created = ev->created, .handle = ev->handle, .ring_pos = ev->ring_pos,
                                .pid = ev->pid, .flags = ev->flags, .path_len = (uint16_t)plen,
                                .path2_len = (uint16_t)p2len, .size = ev->size};
    memcpy(r->comm, ev->comm, sizeof(r->comm));
    if (ev->read_fd >= 0) {
      r->fds |= 1;
      fds[nfds++] = ev->read_fd;
    }
    if (ev->disk_fd >= 0) {
      r->fds |= 2;
      fds[nfds++] = ev->disk_fd;
    }
    memcpy(s->buf + len + sizeof(*r), ev->path ? ev->path : "", plen);
    memcpy(s->buf + len + sizeof(*r) + plen, ev->path2 ? ev->path2 : "", p2len);
    memset(s->buf + len + sizeof(*r) + plen + p2len, 0, need - sizeof(*r) - plen - p2len);
    len += need;
    c->next++;
  }
  reply(c, h, 0, c->next < c->npending ? LS_LINK_MORE : 0, s->buf, len, fds, nfds);
  /* sent or not, these copies are ours to close: the daemon got its own */
  for (size_t i = first; i < c->next; i++) ls_event_dispose(&c->pending[i]);
}

static void tier_stats(struct server *s, struct conn *c, const struct ls_link_header *h, const struct ls_link_file *f) {
  struct ls_tiers *ts = s->e->tiers;
  struct ls_tier_totals t;
  ls_tiers_totals(ts, &t);
  size_t max = f->value > 1000 ? 1000 : (size_t)f->value;
  struct ls_tier_file *files = max ? calloc(max, sizeof(*files)) : NULL;
  size_t n = files ? ls_tiers_files(ts, files, max) : 0;
  size_t len = 0;
  memcpy(s->buf, &t, sizeof(t));
  len += (sizeof(t) + 7) & ~(size_t)7;
  struct ls_link_tier_stats *head = (struct ls_link_tier_stats *)(s->buf + len);
  *head = (struct ls_link_tier_stats){0};
  len += sizeof(*head);
  for (size_t i = 0; i < n; i++) {
    char *path = files[i].disk_fd >= 0 ? ls_path_below(s->e->root_prefix, s->e->root_prefix_len, files[i].disk_fd) : NULL;
    size_t plen = path ? strlen(path) : 0;
    size_t need = (sizeof(struct ls_link_tier_file) + plen + 7) & ~(size_t)7;
    if (sizeof(struct ls_link_header) + len + need <= LS_LINK_MAX_MSG) {
      struct ls_link_tier_file *r = (struct ls_link_tier_file *)(s->buf + len);
      *r = (struct ls_link_tier_file){.dev = files[i].dev, .ino = files[i].ino, .size = files[i].size,
                                      .synced = files[i].synced, .unsynced = files[i].unsynced,
                                      .unsynced_age_ms = files[i].unsynced_age_ms, .path_len = (uint32_t)plen};
      memcpy(s->buf + len + sizeof(*r), path ? path : "", plen);
      memset(s->buf + len + sizeof(*r) + plen, 0, need - sizeof(*r) - plen);
      len += need;
      head->files++;
    }
    free(path);
    if (files[i].disk_fd >= 0) close(files[i].disk_fd);
  }
  free(files);
  reply(c, h, 0, 0, s->buf, len, NULL, 0);
}

static void status(struct server *s, struct conn *c, const struct ls_link_header *h) {
  double now = now_ms();
  struct ls_counters *k = s->e->counters;
  struct ls_link_status st = {
      .engine_pid = getpid(),
      .consumer_pid = s->consumer ? s->consumer->pid : 0,
      .flags = link_flags(s),
      .restarts = s->sup->starts,
      .detached_ms = s->consumer ? 0 : now - s->detached_since_ms,
      .next_restart_ms = ls_sup_wait_ms(s->sup, now),
      .writes = atomic_load_explicit(&k->writes, memory_order_relaxed),
      .bytes_written = atomic_load_explicit(&k->bytes_written, memory_order_relaxed),
      .unsynced_bytes = s->e->tiers ? atomic_load(&s->e->tiers->unsynced) : 0,
      .attaches = s->attaches,
  };
  size_t mlen = strlen(s->e->mountpoint);
  memcpy(s->buf, &st, sizeof(st));
  memcpy(s->buf + sizeof(st), s->e->mountpoint, mlen);
  reply(c, h, 0, 0, s->buf, sizeof(st) + mlen, NULL, 0);
}

/* One request. Returns false when the connection must go (a protocol error). */
static bool dispatch(struct server *s, struct conn *c, const struct ls_link_header *h, const void *p, size_t len,
                     int *fds, unsigned nfds) {
  struct ls_engine *e = s->e;
  bool consumer = c == s->consumer;
  bool tiered = e->tiers != NULL;
  if (h->op != LS_LINK_HELLO && !c->role) return false;
  switch (h->op) {
  case LS_LINK_HELLO:
    if (c->role) return false;
    hello(s, c, h, p, len);
    return true;
  case LS_LINK_DRAIN:
    if (!consumer) return false;
    drain(s, c, h);
    return true;
  case LS_LINK_PUNCH: {
    const struct ls_link_punch *q = p;
    if (!consumer || len < sizeof(*q) || nfds != 1) return false;
    int r = atomic_load(&s->unmounted) ? -ESHUTDOWN
                                       : ls_nodes_punch_if_idle(&e->nodes, (dev_t)q->dev, (ino_t)q->ino, fds[0],
                                                                (off_t)q->offset, (off_t)q->length);
    reply(c, h, r, 0, NULL, 0, NULL, 0);
    return true;
  }
  case LS_LINK_CONSUMER_DONE: {
    const struct ls_link_file *q = p;
    if (!consumer || len < sizeof(*q)) return false;
    ls_nodes_consumer_done(&e->nodes, (dev_t)q->dev, (ino_t)q->ino, (uint32_t)q->value);
    return true;
  }
  case LS_LINK_GONE_ANSWER: {
    const struct ls_link_gone *q = p;
    if (!consumer || len < sizeof(*q)) return false;
    ls_gone_answered(e, q->ticket);
    return true;
  }
  case LS_LINK_SYNC: {
    const struct ls_link_sync *q = p;
    if (len < sizeof(*q) || q->trigger >= LS_SYNC_TRIGGER_COUNT) return false;
    if (!tiered) {
      if (q->wait) reply(c, h, -ENOTSUP, 0, NULL, 0, NULL, 0);
    } else if (q->wait) {
      start_job(s, c, h, sync_job, q);
    } else {
      ls_tiers_sync(e->tiers, q->all != 0, (dev_t)q->dev, (ino_t)q->ino, (enum ls_sync_trigger)q->trigger, false, 0, NULL);
    }
    return true;
  }
  case LS_LINK_HINT: {
    const struct ls_link_file *q = p;
    if (len < sizeof(*q)) return false;
    if (tiered) ls_tiers_hint(e->tiers, (dev_t)q->dev, (ino_t)q->ino, q->value);
    return true;
  }
  case LS_LINK_TIER_STATS: {
    const struct ls_link_file *q = p;
    if (len < sizeof(*q)) return false;
    if (!tiered)
      reply(c, h, -ENOTSUP, 0, NULL, 0, NULL, 0);
    else
      tier_stats(s, c, h, q);
    return true;
  }
  case LS_LINK_UNMOUNT:
    atomic_store(&s->unmounting, true);
    ls_sup_cancel(s->sup);
    start_job(s, c, h, unmount_job, NULL);
    return true;
  case LS_LINK_STATUS:
    status(s, c, h);
    return true;
  default:
    return false;
  }
}

/* ---- connections ---- */

static void drop_consumer(struct server *s) {
  struct conn *c = s->consumer;
  s->consumer = NULL;
  /* no question can be on its way to it once the handler is cleared (gone.h) */
  if (ls_gone_clear_handler(s->e, c)) conn_put(c);
  ls_engine_detach(s->e);
  for (size_t i = c->next; i < c->npending; i++) ls_event_dispose(&c->pending[i]);
  c->next = c->npending;
  double now = now_ms();
  s->detached_since_ms = now;
  bool expected = atomic_load(&s->unmounted) || s->ended || s->stopping;
  if (expected)
    ls_elog("info", "the daemon (pid %d) detached", (int)c->pid);
  else
    ls_sup_lost(s->sup, now);
}

static void close_conn(struct server *s, size_t i) {
  struct conn *c = s->conns[i];
  s->conns[i] = s->conns[--s->nconns];
  if (c == s->consumer) drop_consumer(s);
  /* a job may still hold it and answer into the void; shutdown wakes nothing of ours */
  shutdown(c->fd, SHUT_RDWR);
  conn_put(c);
}

static void accept_conn(struct server *s) {
  int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
  if (fd < 0) return;
  struct ucred cred;
  socklen_t clen = sizeof(cred);
  /* the socket is root's and owner-only; this is the check that does not depend on the run directory */
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0 || cred.uid != geteuid() || s->nconns == MAX_CONNS) {
    close(fd);
    return;
  }
  struct timeval tv = {.tv_sec = SEND_TIMEOUT_MS / 1000};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  struct conn *c = calloc(1, sizeof(*c));
  if (!c) {
    close(fd);
    return;
  }
  atomic_init(&c->refs, 1);
  c->fd = fd;
  c->pid = cred.pid;
  s->conns[s->nconns++] = c;
}

/* Returns false when the connection must go. */
static bool serve_conn(struct server *s, struct conn *c) {
  struct ls_link_header h;
  int fds[LS_LINK_MAX_FDS];
  unsigned nfds = 0;
  ssize_t n = ls_link_recv(c->fd, &h, s->buf, sizeof(s->buf), fds, &nfds);
  if (n < 0) return n == -EAGAIN;
  /* the payload is copied out: replies reuse the buffer */
  char req[256];
  size_t len = (size_t)n < sizeof(req) ? (size_t)n : sizeof(req);
  memcpy(req, s->buf, len);
  bool ok = dispatch(s, c, &h, req, len, fds, nfds);
  ls_link_close_fds(fds, nfds);
  return ok;
}

/* ---- signals, the end of the loop, leaving ---- */

static void on_signal(struct server *s) {
  struct signalfd_siginfo si;
  while (read(s->signal_fd, &si, sizeof(si)) == sizeof(si)) {
    if (si.ssi_signo == SIGCHLD) continue; /* reaped by ls_sup_run */
    if (si.ssi_signo == SIGHUP) {
      ls_elog("info", "SIGHUP ignored (the engine keeps serving)");
      continue;
    }
    if (s->stopping) continue;
    s->stopping = true;
    ls_sup_cancel(s->sup);
    s->stop_deadline_ms = now_ms() + s->o->term_grace_ms;
    if (s->consumer) {
      /* the daemon unmounts (with the final sync) and leaves; it is given term_grace_ms */
      ls_elog("info", "%s: asking the daemon (pid %d) to unmount", strsignal((int)si.ssi_signo), (int)s->consumer->pid);
      kill(s->consumer->pid, SIGTERM);
    } else {
      ls_elog("info", "%s: unmounting (no daemon is attached)", strsignal((int)si.ssi_signo));
    }
  }
}

static bool done(struct server *s, double now) {
  if (atomic_load(&s->jobs) > 0) return false;
  if (s->consumer) return s->stopping && now >= s->stop_deadline_ms;
  return s->stopping || s->ended || atomic_load(&s->unmounted);
}

/* What a daemon would have done at the end, for an engine that ends without one. */
static void take_down_ram_side(struct server *s, const struct ls_unmount_result *res) {
  if (!s->o->ram_dir || res->unsynced_left > 0) {
    if (res->unsynced_left > 0)
      ls_elog("warn", "%llu unsynced bytes could not be written to disk in time: they stay in RAM at %s for the next mount",
              (unsigned long long)res->unsynced_left, s->o->ram_dir ? s->o->ram_dir : "the RAM directory");
    return;
  }
  char dev[32], fstype[64];
  if (ls_mountinfo_top(s->o->ram_dir, dev, sizeof(dev), fstype, sizeof(fstype)) == 0 && strcmp(fstype, "tmpfs") == 0 &&
      umount2(s->o->ram_dir, UMOUNT_NOFOLLOW) != 0)
    return; /* busy or already gone: the next mount finds it */
  rmdir(s->o->ram_dir);
}

static void finish(struct server *s) {
  double deadline = now_ms() + JOBS_GRACE_MS;
  while (atomic_load(&s->jobs) > 0 && now_ms() < deadline) usleep(10000);
  struct ls_unmount_result res;
  unmount_now(s, &res);
  if (!atomic_load(&s->settled)) take_down_ram_side(s, &res);
  while (s->nconns) close_conn(s, s->nconns - 1);
  unlink(s->o->socket_path);
  if (s->o->pid_file) unlink(s->o->pid_file);
  ls_elog("info", "engine exiting%s", res.lazy ? " (the mount was busy and was detached lazily)" : "");
}

static int listen_at(const char *path) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof(addr.sun_path)) return -ENAMETOOLONG;
  strcpy(addr.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -errno;
  unlink(path); /* a socket left by an engine that died */
  mode_t old = umask(077);
  int r = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
  umask(old);
  if (r != 0 || listen(fd, 16) != 0) {
    r = -errno;
    close(fd);
    return r;
  }
  return fd;
}

void ls_server_signals(sigset_t *set) {
  sigemptyset(set);
  sigaddset(set, SIGTERM);
  sigaddset(set, SIGINT);
  sigaddset(set, SIGHUP);
  sigaddset(set, SIGCHLD);
}

int ls_server_run(struct ls_engine *e, const struct ls_server_options *o, struct ls_supervisor *sup) {
  static struct server srv;
  struct server *s = &srv;
  *s = (struct server){.e = e, .o = o, .sup = sup, .listen_fd = -1, .signal_fd = -1, .wake_fd = -1};
  atomic_init(&s->ram_dir_fd, o->ram_dir_fd);
  s->detached_since_ms = now_ms();
  sigset_t set;
  ls_server_signals(&set);
  s->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  s->listen_fd = listen_at(o->socket_path);
  if (s->signal_fd < 0 || s->wake_fd < 0 || s->listen_fd < 0) {
    int err = s->listen_fd < -1 ? -s->listen_fd : errno;
    ls_engine_ready(o->ready_fd, -err, "cannot serve the engine's socket %s: %s", o->socket_path, strerror(err));
    struct ls_unmount_result res;
    unmount_now(s, &res);
    return 1;
  }
  ls_engine_ready(o->ready_fd, 0, "%s", "");
  for (;;) {
    double now = now_ms();
    ls_sup_run(sup, s->consumer != NULL, now);
    if (done(s, now)) break;
    double wait = ls_sup_wait_ms(sup, now);
    if (s->stopping && (wait < 0 || s->stop_deadline_ms - now < wait)) wait = s->stop_deadline_ms - now;
    struct pollfd p[4 + MAX_CONNS];
    size_t np = 0;
    p[np++] = (struct pollfd){.fd = s->listen_fd, .events = POLLIN};
    p[np++] = (struct pollfd){.fd = s->signal_fd, .events = POLLIN};
    p[np++] = (struct pollfd){.fd = s->wake_fd, .events = POLLIN};
    p[np++] = (struct pollfd){.fd = s->ended ? -1 : e->done_fd, .events = POLLIN};
    for (size_t i = 0; i < s->nconns; i++) p[np++] = (struct pollfd){.fd = s->conns[i]->fd, .events = POLLIN};
    int n = poll(p, np, wait < 0 ? -1 : (int)(wait + 1));
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) continue;
    if (p[1].revents) on_signal(s);
    if (p[2].revents) {
      uint64_t v;
      if (read(s->wake_fd, &v, sizeof(v)) < 0) {
        /* nothing to read: another poll took it */
      }
    }
    if (p[3].revents && !s->ended) {
      s->ended = true;
      ls_sup_cancel(sup);
      /* the daemon is told and leaves; it is given as long as after a SIGTERM */
      if (!s->stopping) s->stop_deadline_ms = now_ms() + o->term_grace_ms;
      s->stopping = true;
      struct ls_link_header h = {.op = LS_LINK_LOOP_ENDED};
      if (s->consumer) ls_link_send(s->consumer->fd, &h, NULL, NULL, 0, MSG_DONTWAIT);
      if (!atomic_load(&s->unmounting)) ls_elog("warn", "the mount went away without an unmount request");
    }
    /* from the last: close_conn moves the last connection into the hole */
    for (size_t i = np; i-- > 4;) {
      if (!p[i].revents) continue;
      size_t at = i - 4;
      if (at < s->nconns && s->conns[at]->fd == p[i].fd && !serve_conn(s, s->conns[at])) close_conn(s, at);
    }
    if (p[0].revents) accept_conn(s);
  }
  finish(s);
  close(s->listen_fd);
  close(s->signal_fd);
  close(s->wake_fd);
  return 0;
}
