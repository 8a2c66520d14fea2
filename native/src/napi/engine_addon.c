/*
 * logshadow_engine: the daemon's side of the native engine, which runs in a process of its own
 * (engine_proc/). attach() connects to the engine's socket (link/protocol.h); for the consumer
 * (the daemon) it maps the shared counters and ring (shared.h) and hands over the backing
 * directory's descriptors. The other functions take the handle attach() returned. Nothing here
 * links libfuse: the daemon does not need it any more.
 *
 * Calls that the engine answers at once (drainFileEvents, punchIfIdle, tierStats, status) block
 * the calling thread until the reply, bounded by CALL_TIMEOUT_MS; those that wait on the disk
 * (syncNow, unmount) return promises. The engine's own messages (a file-gone question, the mount
 * going away, the connection ending) reach the `onMessage` function given to attach(), on the
 * JavaScript thread.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../counters.h"
#include "../events.h"
#include "../ring.h"
#include "../link/client.h"
#include "../shared.h"
#include "../sys.h"
#include "ring_layout.h"
#include "tier_js.h"
#include "util.h"

#define CALL_TIMEOUT_MS 10000

static const napi_type_tag LINK_TAG = {0x6c6f67736861646full, 0x6c696e6b2e763031ull};

struct link {
  _Atomic int refs; /* the handle object and the ring's ArrayBuffer */
  struct ls_client *client;
  struct ls_shared shared; /* consumers only */
  bool consumer;
  napi_threadsafe_function tsfn;
  _Atomic bool detached;
  /* calls awaiting their reply (JavaScript thread only): while any does, the function is
   * referenced, so Node does not exit under a pending promise and leave the reader thread
   * calling into a function the exiting environment has freed */
  unsigned pending_calls;
  /* counters.file_events_queued as read before the last drain that emptied the queue
   * (consumers; UINT64_MAX: no drain yet, or the last one failed) */
  uint64_t events_drained_at;
  /* a drain failed midway: the engine may still hold part of a batch taken then, which the next
   * drain finishes without looking at the queue again, so that drain proves nothing */
  bool drain_failed;
};

/* What the reader thread hands to the JavaScript thread. */
enum item_kind { ITEM_UNASKED, ITEM_CLOSED, ITEM_REPLY };

struct item {
  enum item_kind kind;
  struct ls_msg msg; /* ITEM_UNASKED, ITEM_REPLY */
  int status;        /* ITEM_CLOSED, and an ITEM_REPLY that never came */
  napi_deferred deferred;
  uint16_t op;
};

/* An asynchronous call on its way. */
struct pending {
  struct link *l;
  napi_deferred deferred;
  uint16_t op;
};

static void link_detach(struct link *l) {
  if (atomic_exchange(&l->detached, true)) return;
  /* the reader ends before the function it calls goes */
  ls_client_close(l->client);
  napi_release_threadsafe_function(l->tsfn, napi_tsfn_release);
}

static void link_unref(struct link *l) {
  if (atomic_fetch_sub(&l->refs, 1) != 1) return;
  link_detach(l);
  ls_shared_unmap(&l->shared);
  free(l);
}

static void finalize_handle(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  link_unref(data);
}

static void finalize_ring(napi_env env, void *data, void *hint) {
  (void)env;
  (void)data;
  link_unref(hint);
}

static bool link_of(napi_env env, napi_value handle, struct link **out) {
  bool ok = false;
  napi_valuetype t;
  if (!ls_napi_ok(env, napi_typeof(env, handle, &t))) return false;
  if (t == napi_object && !ls_napi_ok(env, napi_check_object_type_tag(env, handle, &LINK_TAG, &ok))) return false;
  if (!ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "not a handle returned by attach()");
    return false;
  }
  void *data = NULL;
  if (!ls_napi_ok(env, napi_unwrap(env, handle, &data))) return false;
  *out = data;
  if (atomic_load(&(*out)->detached)) {
    napi_throw_error(env, "ECONNRESET", "detached from the engine");
    return false;
  }
  return true;
}

static bool consumer_of(napi_env env, napi_value handle, struct link **out) {
  if (!link_of(env, handle, out)) return false;
  if (!(*out)->consumer) {
    napi_throw_error(env, "EPERM", "only the attached daemon may do this");
    return false;
  }
  return true;
}

static napi_value throw_errno(napi_env env, int err, const char *what) {
  const char *code = strerrorname_np(err > 0 ? err : -err);
  char msg[256];
  snprintf(msg, sizeof(msg), "%s: %s", what, strerror(err > 0 ? err : -err));
  napi_throw_error(env, code ? code : "EIO", msg);
  return NULL;
}

/* A call answered at once: the reply, or false with an exception pending. */
static bool call(napi_env env, struct link *l, uint16_t op, const void *payload, size_t len, const int *fds,
                 unsigned nfds, struct ls_msg *reply, const char *what) {
  int r = ls_client_call(l->client, op, payload, len, fds, nfds, reply, CALL_TIMEOUT_MS);
  if (r < 0) {
    throw_errno(env, r, what);
    return false;
  }
  return true;
}

/* ---- the reader thread's messages, on the JavaScript thread ---- */

static void resolve_reply(napi_env env, struct item *it) {
  napi_value out = NULL, err;
  bool ok = it->status == 0 && it->msg.h.status == 0;
  if (ok && it->op == LS_LINK_SYNC && it->msg.h.len >= sizeof(struct ls_link_synced)) {
    const struct ls_link_synced *s = it->msg.payload;
    const char *code = s->result < 0 ? strerrorname_np(-s->result) : NULL;
    ok = napi_create_object(env, &out) == napi_ok &&
         (code ? napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &err) : napi_get_null(env, &err)) == napi_ok &&
         ls_napi_set_value(env, out, "error", err) && ls_napi_set_number(env, out, "bytes", (double)s->bytes) &&
         ls_napi_set_number(env, out, "ms", s->ms);
  } else if (ok && it->op == LS_LINK_UNMOUNT && it->msg.h.len >= sizeof(struct ls_link_unmounted)) {
    const struct ls_link_unmounted *u = it->msg.payload;
    const char *code = u->error ? strerrorname_np(u->error) : NULL;
    ok = napi_create_object(env, &out) == napi_ok &&
         (code ? napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &err) : napi_get_null(env, &err)) == napi_ok &&
         ls_napi_set_number(env, out, "unsyncedLeft", (double)u->unsynced_left) &&
         ls_napi_set_bool(env, out, "wasMounted", u->was_mounted) && ls_napi_set_bool(env, out, "lazy", u->lazy) &&
         ls_napi_set_bool(env, out, "stopped", u->stopped) && ls_napi_set_value(env, out, "error", err);
  } else {
    ok = false;
  }
  if (ok) {
    napi_resolve_deferred(env, it->deferred, out);
    return;
  }
  int e = it->status ? it->status : it->msg.h.status ? it->msg.h.status : -EPROTO;
  const char *code = strerrorname_np(-e);
  napi_value msg, error, vcode;
  char text[160];
  snprintf(text, sizeof(text), "the engine did not answer: %s", strerror(-e));
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg);
  napi_create_string_utf8(env, code ? code : "EIO", NAPI_AUTO_LENGTH, &vcode);
  napi_create_error(env, vcode, msg, &error);
  napi_reject_deferred(env, it->deferred, error);
}

static void call_js(napi_env env, napi_value fn, void *context, void *data) {
  struct link *l = context;
  struct item *it = data;
  if (!env) {
    /* the function is going away with the environment: nothing to tell, nothing to resolve */
    ls_msg_dispose(&it->msg);
    free(it);
    return;
  }
  napi_value undefined, args[3];
  napi_get_undefined(env, &undefined);
  if (it->kind == ITEM_REPLY) {
    resolve_reply(env, it);
    if (--l->pending_calls == 0 && !atomic_load(&l->detached)) napi_unref_threadsafe_function(env, l->tsfn);
  } else if (fn) {
    const char *kind = "closed";
    size_t argc = 1;
    const struct ls_link_gone *g = NULL;
    if (it->kind == ITEM_UNASKED && it->msg.h.op == LS_LINK_GONE && it->msg.h.len >= sizeof(*g)) {
      g = it->msg.payload;
      kind = "gone";
      napi_create_double(env, (double)g->dev, &args[1]);
      napi_create_double(env, (double)g->ino, &args[2]);
      argc = 3;
    } else if (it->kind == ITEM_UNASKED && it->msg.h.op == LS_LINK_LOOP_ENDED) {
      kind = "ended";
    } else if (it->kind == ITEM_UNASKED) {
      kind = NULL; /* a message this build does not know: ignored */
    }
    if (kind) {
      napi_create_string_utf8(env, kind, NAPI_AUTO_LENGTH, &args[0]);
      if (napi_call_function(env, undefined, fn, argc, args, NULL) != napi_ok) {
        /* the handler must not throw; if it does, the question still counts as answered */
        bool pending = false;
        napi_value ignored;
        if (napi_is_exception_pending(env, &pending) == napi_ok && pending) napi_get_and_clear_last_exception(env, &ignored);
      }
    }
    if (g && !atomic_load(&l->detached)) {
      struct ls_link_gone answer = {.ticket = g->ticket};
      ls_client_send(l->client, LS_LINK_GONE_ANSWER, &answer, sizeof(answer));
    }
  }
  ls_msg_dispose(&it->msg);
  free(it);
}

static void post(struct link *l, struct item *it) {
  /* Someone waits on every item (an unlink on a file-gone question, a person on a sync or an
   * unmount), and the daemon's main thread may be under SCHED_IDLE behind busy writers: it runs
   * at normal priority from here (DaemonPriority lowers it again once it has answered). */
  ls_raise_from_idle(getpid());
  if (napi_call_threadsafe_function(l->tsfn, it, napi_tsfn_nonblocking) != napi_ok) {
    ls_msg_dispose(&it->msg);
    free(it); /* a promise left unsettled only when the environment is going away */
  }
}

/* On the reader thread. */
static void on_unasked(void *ctx, struct ls_msg *m, int status) {
  struct link *l = ctx;
  struct item *it = calloc(1, sizeof(*it));
  if (!it) {
    if (m) ls_msg_dispose(m);
    return;
  }
  it->kind = m ? ITEM_UNASKED : ITEM_CLOSED;
  it->status = status;
  if (m) it->msg = *m;
  post(l, it);
}

static void on_reply(void *ctx, struct ls_msg *m, int status) {
  struct pending *p = ctx;
  struct item *it = calloc(1, sizeof(*it));
  if (it) {
    *it = (struct item){.kind = ITEM_REPLY, .status = m ? status : (status ? status : -ECONNRESET),
                        .deferred = p->deferred, .op = p->op};
    if (m) it->msg = *m;
    post(p->l, it);
  } else if (m) {
    ls_msg_dispose(m);
  }
  link_unref(p->l);
  free(p);
}

static napi_value call_async(napi_env env, struct link *l, uint16_t op, const void *payload, size_t len) {
  struct pending *p = calloc(1, sizeof(*p));
  napi_value promise;
  if (!p) return throw_errno(env, -ENOMEM, "out of memory");
  if (!ls_napi_ok(env, napi_create_promise(env, &p->deferred, &promise))) {
    free(p);
    return NULL;
  }
  p->l = l;
  p->op = op;
  atomic_fetch_add(&l->refs, 1); /* the reply may come after the handle is dropped */
  int r = ls_client_call_async(l->client, op, payload, len, on_reply, p);
  if (r >= 0 && l->pending_calls++ == 0) napi_ref_threadsafe_function(env, l->tsfn);
  if (r < 0) {
    link_unref(l);
    napi_value msg, error, code;
    napi_create_string_utf8(env, strerror(-r), NAPI_AUTO_LENGTH, &msg);
    napi_create_string_utf8(env, strerrorname_np(-r) ? strerrorname_np(-r) : "EIO", NAPI_AUTO_LENGTH, &code);
    napi_create_error(env, code, msg, &error);
    napi_reject_deferred(env, p->deferred, error);
    free(p);
  }
  return promise;
}

/* ---- attach ---- */

static napi_value js_attach(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!ls_napi_args(env, info, 3, argv)) return NULL;
  char path[108], role[16];
  size_t n;
  if (!ls_napi_ok(env, napi_get_value_string_utf8(env, argv[0], path, sizeof(path), &n)) ||
      !ls_napi_ok(env, napi_get_value_string_utf8(env, argv[1], role, sizeof(role), &n)))
    return NULL;
  bool consumer = strcmp(role, "consumer") == 0;
  if (!consumer && strcmp(role, "observer") != 0) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "role is 'consumer' or 'observer'");
    return NULL;
  }
  napi_valuetype ft;
  if (!ls_napi_ok(env, napi_typeof(env, argv[2], &ft))) return NULL;
  if (ft != napi_function && ft != napi_undefined) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "onMessage must be a function");
    return NULL;
  }

  struct link *l = calloc(1, sizeof(*l));
  if (!l) return throw_errno(env, -ENOMEM, "out of memory");
  l->shared.fd = -1;
  l->consumer = consumer;
  l->events_drained_at = UINT64_MAX;
  atomic_init(&l->refs, 1);
  int r = ls_client_connect(path, &l->client);
  if (r < 0) {
    free(l);
    return throw_errno(env, r, "cannot reach the engine");
  }
  struct ls_link_hello hello = {.version = LS_LINK_VERSION, .role = consumer ? LS_LINK_CONSUMER : LS_LINK_OBSERVER,
                                .counters_bytes = sizeof(struct ls_counters), .totals_bytes = sizeof(struct ls_tier_totals)};
  struct ls_msg reply;
  r = ls_client_call(l->client, LS_LINK_HELLO, &hello, sizeof(hello), NULL, 0, &reply, CALL_TIMEOUT_MS);
  const struct ls_link_welcome *w = reply.payload;
  if (r == 0 && reply.h.len < sizeof(*w)) r = -EPROTO;
  if (r == 0 && reply.h.status < 0) {
    r = reply.h.status;
    if (r == -EBUSY) {
      char msg[160];
      snprintf(msg, sizeof(msg), "a daemon (pid %d) is attached to this engine already", w->consumer_pid);
      napi_value vmsg, vcode, error;
      napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &vmsg);
      napi_create_string_utf8(env, "EBUSY", NAPI_AUTO_LENGTH, &vcode);
      napi_create_error(env, vcode, vmsg, &error);
      ls_napi_set_number(env, error, "consumerPid", w->consumer_pid);
      napi_throw(env, error);
      ls_msg_dispose(&reply);
      ls_client_close(l->client);
      free(l);
      return NULL;
    }
  }
  if (r == 0 && consumer && (reply.nfds < 2 || reply.nfds != w->fds)) r = -EPROTO;
  if (r == 0 && consumer) {
    r = ls_shared_map(&l->shared, reply.fds[0], sizeof(struct ls_counters));
    if (r == 0) reply.fds[0] = -1; /* the mapping keeps it */
  }
  if (r < 0) {
    if (reply.payload || reply.nfds) ls_msg_dispose(&reply);
    ls_client_close(l->client);
    ls_shared_unmap(&l->shared);
    free(l);
    return throw_errno(env, r, r == -EPROTO ? "the engine speaks another version of the link (rebuild with npm run build:native)"
                                            : "the engine refused to attach");
  }

  napi_value handle, name, ring;
  bool ok = ls_napi_ok(env, napi_create_object(env, &handle)) &&
            ls_napi_ok(env, napi_create_string_utf8(env, "logshadow.engine", NAPI_AUTO_LENGTH, &name)) &&
            ls_napi_ok(env, napi_create_threadsafe_function(env, ft == napi_function ? argv[2] : NULL, NULL, name, 0, 1,
                                                            NULL, NULL, l, call_js, &l->tsfn));
  if (!ok) {
    ls_msg_dispose(&reply);
    ls_client_close(l->client);
    ls_shared_unmap(&l->shared);
    free(l);
    return NULL;
  }
  /* the daemon's timers keep it alive; a link alone must not */
  napi_unref_threadsafe_function(env, l->tsfn);
  if (!ls_napi_ok(env, napi_wrap(env, handle, l, finalize_handle, NULL, NULL))) {
    ls_msg_dispose(&reply);
    ls_client_close(l->client);
    napi_release_threadsafe_function(l->tsfn, napi_tsfn_release);
    ls_shared_unmap(&l->shared);
    free(l);
    return NULL;
  }
  /* from here the handle owns the link: a failure below leaves it to the finalizer */
  if (ls_client_start(l->client, on_unasked, l) != 0) {
    ls_msg_dispose(&reply);
    return throw_errno(env, -EAGAIN, "cannot start the link's reader thread");
  }
  ok = ls_napi_ok(env, napi_type_tag_object(env, handle, &LINK_TAG)) &&
       ls_napi_set_string(env, handle, "device", w->device) && ls_napi_set_number(env, handle, "maxWrite", w->max_write) &&
       ls_napi_set_bool(env, handle, "writeback", w->flags & LS_LINK_WRITEBACK) &&
       ls_napi_set_bool(env, handle, "xattr", w->flags & LS_LINK_XATTR) &&
       ls_napi_set_bool(env, handle, "tiered", w->flags & LS_LINK_TIERED) &&
       ls_napi_set_bool(env, handle, "ended", w->flags & LS_LINK_ENDED) &&
       ls_napi_set_bool(env, handle, "unmounted", w->flags & LS_LINK_UNMOUNTED) &&
       ls_napi_set_number(env, handle, "enginePid", w->engine_pid) &&
       ls_napi_set_number(env, handle, "consumerPid", w->consumer_pid);
  if (ok && consumer) {
    atomic_fetch_add(&l->refs, 1); /* the ArrayBuffer's */
    ok = ls_napi_ok(env, napi_create_external_arraybuffer(env, ls_shared_ring(&l->shared), l->shared.hdr->ring_bytes,
                                                          finalize_ring, l, &ring));
    if (!ok) link_unref(l);
    ok = ok && ls_napi_set_value(env, handle, "ring", ring) && ls_napi_set_number(env, handle, "ringHead", w->ring_head) &&
         ls_napi_set_number(env, handle, "backingFd", reply.fds[1]) &&
         ls_napi_set_number(env, handle, "ramDirFd", reply.nfds > 2 ? reply.fds[2] : -1);
    if (ok) reply.nfds = 0; /* JavaScript owns the directories' descriptors now */
  }
  ls_msg_dispose(&reply);
  return ok ? handle : NULL;
}

/* detach(handle): ends the connection (the engine goes on serving). */
static napi_value js_detach(napi_env env, napi_callback_info info) {
  napi_value handle;
  struct link *l;
  if (!ls_napi_args(env, info, 1, &handle) || !link_of(env, handle, &l)) return NULL;
  link_detach(l);
  return NULL;
}

/* ---- the consumer's calls ---- */

static bool set_chars(napi_env env, napi_value o, const char *key, const char *s, size_t len) {
  napi_value v;
  return ls_napi_ok(env, napi_create_string_utf8(env, s, len, &v)) && ls_napi_set_value(env, o, key, v);
}

/* One event as FileEvent (src/engine/engine.ts); path and path2 follow the record. */
static bool event_object(napi_env env, const struct ls_link_event *ev, int read_fd, int disk_fd, napi_value *out) {
  static const char *const kinds[] = {"open", "release", "rename", "unlink", "truncate"};
  const char *path = (const char *)(ev + 1), *path2 = path + ev->path_len;
  napi_value o;
  if (ev->kind > LS_EV_TRUNCATE) return false;
  if (!ls_napi_ok(env, napi_create_object(env, &o)) || !ls_napi_set_string(env, o, "kind", kinds[ev->kind])) return false;
  bool ok = ls_napi_set_number(env, o, "ringPos", ev->ring_pos);
  switch (ev->kind) {
  case LS_EV_OPEN:
    ok = ok && ls_napi_set_number(env, o, "handle", ev->handle) && set_chars(env, o, "path", path, ev->path_len) &&
         ls_napi_set_number(env, o, "pid", ev->pid) && ls_napi_set_number(env, o, "flags", ev->flags) &&
         ls_napi_set_bool(env, o, "created", ev->created) && ls_napi_set_number(env, o, "readFd", read_fd) &&
         ls_napi_set_number(env, o, "diskFd", disk_fd) && set_chars(env, o, "comm", ev->comm, strnlen(ev->comm, sizeof(ev->comm))) &&
         ls_napi_set_number(env, o, "size", ev->size == LS_EVENT_SIZE_UNKNOWN ? -1 : (double)ev->size);
    break;
  case LS_EV_RELEASE:
    ok = ok && ls_napi_set_number(env, o, "handle", ev->handle);
    break;
  case LS_EV_RENAME:
    ok = ok && set_chars(env, o, "from", path, ev->path_len) && set_chars(env, o, "to", path2, ev->path2_len);
    break;
  case LS_EV_UNLINK:
    ok = ok && set_chars(env, o, "path", path, ev->path_len);
    break;
  case LS_EV_TRUNCATE:
    ok = ok && set_chars(env, o, "path", path, ev->path_len) && ls_napi_set_number(env, o, "size", (double)ev->size);
    break;
  }
  *out = o;
  return ok;
}

/* Appends one DRAIN reply's events to arr; the descriptors each takes become JavaScript's. */
static bool append_events(napi_env env, struct ls_msg *m, napi_value arr, uint32_t *count) {
  const char *p = m->payload, *end = p + m->h.len;
  unsigned next_fd = 0;
  while (p + sizeof(struct ls_link_event) <= end) {
    const struct ls_link_event *ev = (const void *)p;
    size_t body = sizeof(*ev) + ev->path_len + ev->path2_len;
    if (p + body > end) return false;
    int read_fd = -1, disk_fd = -1;
    if ((ev->fds & 1) && next_fd < m->nfds) read_fd = m->fds[next_fd++];
    if ((ev->fds & 2) && next_fd < m->nfds) disk_fd = m->fds[next_fd++];
    napi_value o;
    if (!event_object(env, ev, read_fd, disk_fd, &o) ||
        !ls_napi_ok(env, napi_set_element(env, arr, (*count)++, o)))
      return false;
    /* JavaScript owns them now */
    for (unsigned i = 0; i < next_fd; i++) m->fds[i] = -1;
    p += (body + 7) & ~(size_t)7;
  }
  return true;
}

static napi_value js_drain_file_events(napi_env env, napi_callback_info info) {
  napi_value handle, arr;
  struct link *l;
  if (!ls_napi_args(env, info, 1, &handle) || !consumer_of(env, handle, &l)) return NULL;
  if (!ls_napi_ok(env, napi_create_array(env, &arr))) return NULL;
  /* Read before draining: every event it counts is in the queue by then, so a drain that empties
   * the queue has taken them all, and the same count next time means nothing new (no round trip:
   * the profiler asks at every slice of its refresh, mostly for nothing). */
  const struct ls_counters *c = ls_shared_counters(&l->shared);
  uint64_t queued = atomic_load_explicit(&c->file_events_queued, memory_order_acquire);
  if (queued == l->events_drained_at) return arr;
  uint32_t count = 0;
  bool proves = !l->drain_failed;
  l->events_drained_at = UINT64_MAX;
  l->drain_failed = true;
  for (;;) {
    struct ls_msg m;
    if (!call(env, l, LS_LINK_DRAIN, NULL, 0, NULL, 0, &m, "draining the file events")) return NULL;
    bool ok = m.h.status == 0 && append_events(env, &m, arr, &count);
    bool more = m.h.flags & LS_LINK_MORE;
    ls_msg_dispose(&m); /* closes what no event took */
    if (!ok) return throw_errno(env, m.h.status ? m.h.status : -EPROTO, "draining the file events");
    if (!more) {
      l->drain_failed = false;
      if (proves) l->events_drained_at = queued;
      return arr;
    }
  }
}

static napi_value js_counters(napi_env env, napi_callback_info info) {
  napi_value handle;
  struct link *l;
  if (!ls_napi_args(env, info, 1, &handle) || !consumer_of(env, handle, &l)) return NULL;
  struct ls_counters *c = ls_shared_counters(&l->shared);
  const struct ls_ring_header *ring = ls_shared_ring(&l->shared);
  uint64_t writes = atomic_load_explicit(&c->writes, memory_order_relaxed);
  napi_value o, ops, errors;
  if (!ls_napi_ok(env, napi_create_object(env, &o)) || !ls_napi_ok(env, napi_create_object(env, &ops)) ||
      !ls_napi_ok(env, napi_create_object(env, &errors)))
    return NULL;
  for (int i = 0; i < LS_OP_COUNT; i++) {
    uint64_t n = atomic_load_explicit(&c->ops[i], memory_order_relaxed);
    uint64_t err = atomic_load_explicit(&c->errors[i], memory_order_relaxed);
    if (i == LS_OP_WRITE) n = writes + err;
    if (!ls_napi_set_number(env, ops, ls_op_names[i], (double)n) ||
        !ls_napi_set_number(env, errors, ls_op_names[i], (double)err))
      return NULL;
  }
  if (!ls_napi_set_value(env, o, "ops", ops) || !ls_napi_set_value(env, o, "errors", errors) ||
      !ls_napi_set_number(env, o, "writes", (double)writes) ||
      !ls_napi_set_number(env, o, "bytesWritten", (double)atomic_load_explicit(&c->bytes_written, memory_order_relaxed)) ||
      !ls_napi_set_number(env, o, "largestWrite", (double)atomic_load_explicit(&c->largest_write, memory_order_relaxed)) ||
      !ls_napi_set_number(env, o, "ringDropped", atomic_load_explicit(&ring->dropped, memory_order_relaxed)) ||
      !ls_napi_set_number(env, o, "fileEventsDropped",
                          (double)atomic_load_explicit(&c->file_events_dropped, memory_order_relaxed)))
    return NULL;
  return o;
}

/* A (dev, ino) from JavaScript: casting a NaN or a negative double to an integer is undefined. */
static bool identity_ok(double dev, double ino) {
  return dev >= 0 && ino >= 0 && dev < 18446744073709551616.0 && ino < 18446744073709551616.0;
}

/* punchIfIdle(handle, dev, ino, fd, offset, length): 0, -EBUSY while a writer has it open, -errno. */
static napi_value js_punch_if_idle(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  struct link *l;
  if (!ls_napi_args(env, info, 6, argv) || !consumer_of(env, argv[0], &l)) return NULL;
  double dev, ino, fd, offset, length;
  if (!ls_napi_ok(env, napi_get_value_double(env, argv[1], &dev)) || !ls_napi_ok(env, napi_get_value_double(env, argv[2], &ino)) ||
      !ls_napi_ok(env, napi_get_value_double(env, argv[3], &fd)) || !ls_napi_ok(env, napi_get_value_double(env, argv[4], &offset)) ||
      !ls_napi_ok(env, napi_get_value_double(env, argv[5], &length)))
    return NULL;
  int r = -EINVAL;
  if (offset >= 0 && length > 0 && offset < 9223372036854775807.0 && length < 9223372036854775807.0 &&
      identity_ok(dev, ino) && fd >= 0 && fd <= INT32_MAX) {
    struct ls_link_punch q = {.dev = (uint64_t)dev, .ino = (uint64_t)ino, .offset = (uint64_t)offset, .length = (uint64_t)length};
    int pfd = (int)fd;
    struct ls_msg m;
    if (!call(env, l, LS_LINK_PUNCH, &q, sizeof(q), &pfd, 1, &m, "punching")) return NULL;
    r = m.h.status;
    ls_msg_dispose(&m);
  }
  napi_value out;
  return ls_napi_ok(env, napi_create_int32(env, r, &out)) ? out : NULL;
}

static napi_value js_consumer_done(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  struct link *l;
  if (!ls_napi_args(env, info, 4, argv) || !consumer_of(env, argv[0], &l)) return NULL;
  double dev, ino;
  uint32_t last_open;
  if (!ls_napi_ok(env, napi_get_value_double(env, argv[1], &dev)) || !ls_napi_ok(env, napi_get_value_double(env, argv[2], &ino)) ||
      !ls_napi_ok(env, napi_get_value_uint32(env, argv[3], &last_open)))
    return NULL;
  if (identity_ok(dev, ino)) {
    struct ls_link_file q = {.dev = (uint64_t)dev, .ino = (uint64_t)ino, .value = last_open};
    ls_client_send(l->client, LS_LINK_CONSUMER_DONE, &q, sizeof(q));
  }
  return NULL;
}

/* ---- anyone's calls ---- */

/* unmount(handle): a promise of {wasMounted, lazy, stopped, error, unsyncedLeft}. */
static napi_value js_unmount(napi_env env, napi_callback_info info) {
  napi_value handle;
  struct link *l;
  if (!ls_napi_args(env, info, 1, &handle) || !link_of(env, handle, &l)) return NULL;
  return call_async(env, l, LS_LINK_UNMOUNT, NULL, 0);
}

static napi_value js_status(napi_env env, napi_callback_info info) {
  napi_value handle, o;
  struct link *l;
  if (!ls_napi_args(env, info, 1, &handle) || !link_of(env, handle, &l)) return NULL;
  struct ls_msg m;
  if (!call(env, l, LS_LINK_STATUS, NULL, 0, NULL, 0, &m, "asking the engine")) return NULL;
  const struct ls_link_status *s = m.payload;
  bool ok = m.h.status == 0 && m.h.len >= sizeof(*s);
  char mountpoint[4097] = "";
  if (ok) {
    size_t n = m.h.len - sizeof(*s) < 4096 ? m.h.len - sizeof(*s) : 4096;
    memcpy(mountpoint, (const char *)m.payload + sizeof(*s), n);
    mountpoint[n] = '\0';
  }
  ok = ok && ls_napi_ok(env, napi_create_object(env, &o)) && ls_napi_set_number(env, o, "enginePid", s->engine_pid) &&
       ls_napi_set_number(env, o, "daemonPid", s->consumer_pid) && ls_napi_set_bool(env, o, "tiered", s->flags & LS_LINK_TIERED) &&
       ls_napi_set_bool(env, o, "ended", s->flags & LS_LINK_ENDED) &&
       ls_napi_set_bool(env, o, "unmounted", s->flags & LS_LINK_UNMOUNTED) &&
       ls_napi_set_number(env, o, "daemonStarts", s->restarts) && ls_napi_set_number(env, o, "detachedMs", s->detached_ms) &&
       ls_napi_set_number(env, o, "nextStartMs", s->next_restart_ms) &&
       ls_napi_set_number(env, o, "writes", (double)s->writes) &&
       ls_napi_set_number(env, o, "bytesWritten", (double)s->bytes_written) &&
       ls_napi_set_number(env, o, "unsyncedBytes", (double)s->unsynced_bytes) &&
       ls_napi_set_number(env, o, "attaches", (double)s->attaches) && ls_napi_set_string(env, o, "mountpoint", mountpoint);
  int status = m.h.status;
  ls_msg_dispose(&m);
  if (!ok) return status ? throw_errno(env, status, "asking the engine") : NULL;
  return o;
}

/* ---- the tiered mount's calls (TierControl in src/engine/tiers.ts) ---- */

static bool sync_args(napi_env env, napi_value *argv, struct ls_link_sync *q) {
  bool all;
  enum ls_sync_trigger trigger;
  if (!ls_napi_file_identity(env, argv[0], argv[1], &all, &q->dev, &q->ino) || !ls_napi_sync_trigger(env, argv[2], &trigger))
    return false;
  q->all = all;
  q->trigger = trigger;
  return true;
}

/* syncNow(handle, dev, ino, trigger, timeoutMs): a promise of {error, bytes, ms} once durable. */
static napi_value js_sync_now(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  struct link *l;
  struct ls_link_sync q = {.wait = 1};
  double timeout;
  if (!ls_napi_args(env, info, 5, argv) || !link_of(env, argv[0], &l) || !sync_args(env, argv + 1, &q) ||
      !ls_napi_ok(env, napi_get_value_double(env, argv[4], &timeout)))
    return NULL;
  q.timeout_ms = timeout > 0 ? (uint64_t)timeout : 0;
  return call_async(env, l, LS_LINK_SYNC, &q, sizeof(q));
}

/* requestSync(handle, dev, ino, trigger): asks and returns at once. */
static napi_value js_request_sync(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  struct link *l;
  struct ls_link_sync q = {0};
  if (!ls_napi_args(env, info, 4, argv) || !link_of(env, argv[0], &l) || !sync_args(env, argv + 1, &q)) return NULL;
  ls_client_send(l->client, LS_LINK_SYNC, &q, sizeof(q));
  return NULL;
}

/* reserveHint(handle, dev, ino, bytes): the forecast bytes between two syncs of that file. */
static napi_value js_reserve_hint(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  struct link *l;
  bool all;
  double bytes;
  struct ls_link_file q = {0};
  if (!ls_napi_args(env, info, 4, argv) || !link_of(env, argv[0], &l) ||
      !ls_napi_file_identity(env, argv[1], argv[2], &all, &q.dev, &q.ino) ||
      !ls_napi_ok(env, napi_get_value_double(env, argv[3], &bytes)))
    return NULL;
  if (!all && bytes >= 0 && bytes < 9007199254740992.0) {
    q.value = (uint64_t)bytes;
    ls_client_send(l->client, LS_LINK_HINT, &q, sizeof(q));
  }
  return NULL;
}

/* tierStats(handle, maxFiles): the totals, and in `list` the files with the most unsynced bytes. */
static napi_value js_tier_stats(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  struct link *l;
  uint32_t max;
  if (!ls_napi_args(env, info, 2, argv) || !link_of(env, argv[0], &l) || !ls_napi_ok(env, napi_get_value_uint32(env, argv[1], &max)))
    return NULL;
  struct ls_link_file q = {.value = max};
  struct ls_msg m;
  if (!call(env, l, LS_LINK_TIER_STATS, &q, sizeof(q), NULL, 0, &m, "asking for the tiers' figures")) return NULL;
  size_t head = (sizeof(struct ls_tier_totals) + 7) & ~(size_t)7;
  const char *p = m.payload, *end = p + m.h.len;
  napi_value o = NULL, files = NULL;
  bool ok = m.h.status == 0 && m.h.len >= head + sizeof(struct ls_link_tier_stats) &&
            ls_napi_tier_totals(env, (const struct ls_tier_totals *)p, &o);
  const struct ls_link_tier_stats *st = ok ? (const void *)(p + head) : NULL;
  ok = ok && ls_napi_ok(env, napi_create_array_with_length(env, st->files, &files));
  p += head + sizeof(struct ls_link_tier_stats);
  for (uint32_t i = 0; ok && i < st->files; i++) {
    const struct ls_link_tier_file *f = (const void *)p;
    napi_value fo, vpath;
    ok = p + sizeof(*f) <= end && p + sizeof(*f) + f->path_len <= end &&
         ls_napi_ok(env, napi_create_object(env, &fo)) &&
         ls_napi_ok(env, napi_create_string_utf8(env, p + sizeof(*f), f->path_len, &vpath)) &&
         ls_napi_set_number(env, fo, "dev", (double)f->dev) && ls_napi_set_number(env, fo, "ino", (double)f->ino) &&
         ls_napi_set_value(env, fo, "path", vpath) && ls_napi_set_number(env, fo, "size", (double)f->size) &&
         ls_napi_set_number(env, fo, "synced", (double)f->synced) &&
         ls_napi_set_number(env, fo, "unsyncedBytes", (double)f->unsynced) &&
         ls_napi_set_number(env, fo, "unsyncedAgeMs", f->unsynced_age_ms) &&
         ls_napi_ok(env, napi_set_element(env, files, i, fo));
    if (ok) p += (sizeof(*f) + f->path_len + 7) & ~(size_t)7;
  }
  int status = m.h.status;
  ls_msg_dispose(&m);
  if (!ok) return status ? throw_errno(env, status, "asking for the tiers' figures") : (throw_errno(env, -EPROTO, "the tiers' figures"));
  return ls_napi_set_value(env, o, "list", files) ? o : NULL;
}

NAPI_MODULE_INIT() {
  if (!ls_napi_export_function(env, exports, "attach", js_attach) ||
      !ls_napi_export_function(env, exports, "detach", js_detach) ||
      !ls_napi_export_function(env, exports, "drainFileEvents", js_drain_file_events) ||
      !ls_napi_export_function(env, exports, "counters", js_counters) ||
      !ls_napi_export_function(env, exports, "punchIfIdle", js_punch_if_idle) ||
      !ls_napi_export_function(env, exports, "consumerDone", js_consumer_done) ||
      !ls_napi_export_function(env, exports, "unmount", js_unmount) ||
      !ls_napi_export_function(env, exports, "status", js_status) ||
      !ls_napi_export_function(env, exports, "syncNow", js_sync_now) ||
      !ls_napi_export_function(env, exports, "requestSync", js_request_sync) ||
      !ls_napi_export_function(env, exports, "reserveHint", js_reserve_hint) ||
      !ls_napi_export_function(env, exports, "tierStats", js_tier_stats) ||
      !ls_napi_export_ring_layout(env, exports))
    return NULL;
  return exports;
}
