/*
 * logshadow_engine: the JavaScript face of the native engine. mount() returns a handle object
 * whose `ring` is the engine's ring memory itself (an external ArrayBuffer); drainFileEvents,
 * counters and unmount take that handle. The engine is reference counted: the handle, the
 * ArrayBuffer, the loop thread and a running unmount each hold one, so whichever lets go last
 * frees it, and a JavaScript object can never outlive the memory it shows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../engine.h"
#include "engine_handle.h"
#include "ring_layout.h"
#include "tier_owner.h"
#include "util.h"

static const napi_type_tag ENGINE_TAG = {0x6c6f67736861646full, 0x772e656e67696e65ull};

static void finalize_handle(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  /* a handle dropped while mounted keeps serving until the process ends */
  ls_engine_unref(data);
}

static void finalize_ring(napi_env env, void *data, void *hint) {
  (void)env;
  (void)data;
  ls_engine_unref(hint);
}

bool ls_napi_engine_of(napi_env env, napi_value handle, struct ls_engine **out) {
  bool ok = false;
  napi_valuetype t;
  if (!ls_napi_ok(env, napi_typeof(env, handle, &t))) return false;
  if (t == napi_object && !ls_napi_ok(env, napi_check_object_type_tag(env, handle, &ENGINE_TAG, &ok)))
    return false;
  if (!ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "not a handle returned by mount()");
    return false;
  }
  void *data = NULL;
  if (!ls_napi_ok(env, napi_unwrap(env, handle, &data))) return false;
  *out = data;
  return true;
}

static void owner_ref(void *self) { ls_engine_ref(self); }
static void owner_unref(void *self) { ls_engine_unref(self); }

bool ls_napi_tier_owner(napi_env env, napi_value handle, struct ls_tier_owner *out) {
  struct ls_engine *e;
  if (!ls_napi_engine_of(env, handle, &e)) return false;
  if (!e->tiers) {
    napi_throw_error(env, "ENOTTIERED", "this mount is not tiered (it keeps its files in RAM only)");
    return false;
  }
  *out = (struct ls_tier_owner){.ts = e->tiers, .root = e->root_prefix, .root_len = e->root_prefix_len,
                                .self = e, .ref = owner_ref, .unref = owner_unref};
  return true;
}

/* fsname and subtype end up inside a mount option string */
static bool plain_name(const char *s) {
  if (!*s) return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
          *s == '.' || *s == '_' || *s == '-'))
      return false;
  return true;
}

static napi_value throw_mount_error(napi_env env, int r, const char *msg) {
  const char *code = r == -EIO ? "EMOUNT" : strerrorname_np(-r);
  napi_throw_error(env, code ? code : "EMOUNT", msg);
  return NULL;
}

static napi_value js_mount(napi_env env, napi_callback_info info) {
  napi_value opts;
  if (!ls_napi_args(env, info, 1, &opts)) return NULL;
  napi_valuetype t;
  if (!ls_napi_ok(env, napi_typeof(env, opts, &t))) return NULL;
  if (t != napi_object) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "options must be an object");
    return NULL;
  }
  char mountpoint[4096], cache[32] = "writethrough", fsname[64] = "logshadow", subtype[64] = "logshadow";
  static char patterns[8192]; /* on the JavaScript thread only */
  uint32_t backing_fd = 0, max_write = 1u << 20, ring_capacity = LS_RING_DEFAULT_CAPACITY, ram_dir_fd = 0;
  uint64_t max_unsynced = 64ull << 20, sync_interval_ms = 300000, final_sync_ms = 30000;
  bool debug = false, xattr = false, disk_reserve = true, present, tiered, have_patterns;
  if (!ls_napi_prop_string(env, opts, "mountpoint", mountpoint, sizeof(mountpoint), &present)) return NULL;
  if (!present) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "mountpoint is required");
    return NULL;
  }
  if (!ls_napi_prop_uint32(env, opts, "backingFd", &backing_fd, &present)) return NULL;
  if (!present || backing_fd > 0x7fffffff) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "backingFd must be an open directory descriptor");
    return NULL;
  }
  if (!ls_napi_prop_string(env, opts, "cache", cache, sizeof(cache), &present) ||
      !ls_napi_prop_uint32(env, opts, "maxWrite", &max_write, &present) ||
      !ls_napi_prop_uint32(env, opts, "ringCapacity", &ring_capacity, &present) ||
      !ls_napi_prop_bool(env, opts, "debug", &debug, &present) ||
      !ls_napi_prop_bool(env, opts, "xattr", &xattr, &present) ||
      !ls_napi_prop_string(env, opts, "fsname", fsname, sizeof(fsname), &present) ||
      !ls_napi_prop_string(env, opts, "subtype", subtype, sizeof(subtype), &present) ||
      !ls_napi_prop_uint32(env, opts, "ramDirFd", &ram_dir_fd, &tiered) ||
      !ls_napi_prop_uint64(env, opts, "maxUnsynced", &max_unsynced, &present) ||
      !ls_napi_prop_uint64(env, opts, "syncIntervalMs", &sync_interval_ms, &present) ||
      !ls_napi_prop_uint64(env, opts, "finalSyncMs", &final_sync_ms, &present) ||
      !ls_napi_prop_bool(env, opts, "diskReserve", &disk_reserve, &present) ||
      !ls_napi_prop_string(env, opts, "directPatterns", patterns, sizeof(patterns), &have_patterns))
    return NULL;
  if (tiered && (ram_dir_fd > 0x7fffffff || max_unsynced == 0 || sync_interval_ms == 0)) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "ramDirFd must be a descriptor, maxUnsynced and syncIntervalMs positive");
    return NULL;
  }
  if (strcmp(cache, "writethrough") != 0 && strcmp(cache, "writeback") != 0) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "cache must be 'writethrough' or 'writeback'");
    return NULL;
  }
  if (max_write < 4096) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "maxWrite must be at least 4096");
    return NULL;
  }
  if (!plain_name(fsname) || !plain_name(subtype)) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "fsname and subtype may hold only [A-Za-z0-9._-]");
    return NULL;
  }

  struct ls_mount_options o = {
      .mountpoint = mountpoint,
      .backing_fd = (int)backing_fd,
      .writeback = strcmp(cache, "writeback") == 0,
      .max_write = max_write,
      .ring_capacity = ring_capacity,
      .debug = debug,
      .xattr = xattr,
      .fsname = fsname,
      .subtype = subtype,
      .ram_dir_fd = tiered ? (int)ram_dir_fd : -1,
      .max_unsynced = max_unsynced,
      .sync_interval_ms = sync_interval_ms,
      .final_sync_ms = final_sync_ms,
      .disk_reserve = disk_reserve,
      .direct_patterns = have_patterns ? patterns : NULL,
  };
  struct ls_engine *e;
  char err[768];
  int r = ls_engine_mount(&o, &e, err, sizeof(err));
  if (r < 0) return throw_mount_error(env, r, err);

  napi_value handle, ring;
  bool wrapped = false;
  if (!ls_napi_ok(env, napi_create_object(env, &handle))) goto undo;
  if (!ls_napi_ok(env, napi_wrap(env, handle, e, finalize_handle, NULL, NULL))) goto undo;
  wrapped = true; /* from here the handle owns the caller's reference */
  ls_engine_ref(e);
  if (!ls_napi_ok(env, napi_create_external_arraybuffer(env, e->ring.mem, e->ring.bytes,
                                                        finalize_ring, e, &ring))) {
    ls_engine_unref(e);
    goto undo;
  }
  if (!ls_napi_ok(env, napi_type_tag_object(env, handle, &ENGINE_TAG)) ||
      !ls_napi_set_value(env, handle, "ring", ring) ||
      !ls_napi_set_string(env, handle, "mountpoint", e->mountpoint) ||
      !ls_napi_set_string(env, handle, "device", e->mount_dev) ||
      !ls_napi_set_number(env, handle, "maxWrite", e->max_write) ||
      !ls_napi_set_bool(env, handle, "writeback", e->writeback) ||
      !ls_napi_set_bool(env, handle, "xattr", o.xattr) ||
      !ls_napi_set_bool(env, handle, "tiered", e->tiers != NULL))
    goto undo;
  return handle;

undo: {
  /* JavaScript will never see this mount: take it down now */
  struct ls_unmount_result res;
  ls_engine_unmount(e, &res);
  if (!wrapped) ls_engine_unref(e);
  return NULL;
}
}

static bool event_object(napi_env env, const struct ls_event *ev, napi_value *out) {
  static const char *const kinds[] = {"open", "release", "rename", "unlink", "truncate"};
  napi_value o;
  if (!ls_napi_ok(env, napi_create_object(env, &o)) || !ls_napi_set_string(env, o, "kind", kinds[ev->kind]))
    return false;
  bool ok = ls_napi_set_number(env, o, "ringPos", ev->ring_pos);
  switch (ev->kind) {
  case LS_EV_OPEN:
    ok = ok && ls_napi_set_number(env, o, "handle", ev->handle) && ls_napi_set_string(env, o, "path", ev->path) &&
         ls_napi_set_number(env, o, "pid", ev->pid) && ls_napi_set_number(env, o, "flags", ev->flags) &&
         ls_napi_set_bool(env, o, "created", ev->created) &&
         ls_napi_set_number(env, o, "readFd", ev->read_fd) && ls_napi_set_number(env, o, "diskFd", ev->disk_fd) &&
         ls_napi_set_string(env, o, "comm", ev->comm);
    break;
  case LS_EV_RELEASE:
    ok = ok && ls_napi_set_number(env, o, "handle", ev->handle);
    break;
  case LS_EV_RENAME:
    ok = ok && ls_napi_set_string(env, o, "from", ev->path) && ls_napi_set_string(env, o, "to", ev->path2);
    break;
  case LS_EV_UNLINK:
    ok = ok && ls_napi_set_string(env, o, "path", ev->path);
    break;
  case LS_EV_TRUNCATE:
    ok = ok && ls_napi_set_string(env, o, "path", ev->path) &&
         ls_napi_set_number(env, o, "size", (double)ev->size);
    break;
  }
  *out = o;
  return ok;
}

static napi_value js_drain_file_events(napi_env env, napi_callback_info info) {
  napi_value handle;
  struct ls_engine *e;
  if (!ls_napi_args(env, info, 1, &handle) || !ls_napi_engine_of(env, handle, &e)) return NULL;
  struct ls_event *evs;
  size_t n = ls_evq_take(&e->events, &evs);
  napi_value arr = NULL;
  size_t i = 0;
  if (ls_napi_ok(env, napi_create_array_with_length(env, n, &arr))) {
    for (; i < n; i++) {
      napi_value o;
      if (!event_object(env, &evs[i], &o) || !ls_napi_ok(env, napi_set_element(env, arr, (uint32_t)i, o)))
        break;
      evs[i].read_fd = evs[i].disk_fd = -1; /* JavaScript owns them now */
      ls_event_dispose(&evs[i]);
    }
  }
  /* on a failure part way, close what nobody will receive */
  for (size_t j = i; j < n; j++) ls_event_dispose(&evs[j]);
  free(evs);
  return i == n ? arr : NULL;
}

/* punchIfIdle(handle, dev, ino, fd, offset, length): 0, -EBUSY while a writer has it open, -errno. */
/* A (dev, ino) from JavaScript: casting a NaN or a negative double to an integer is undefined. */
static bool identity_ok(double dev, double ino) {
  return dev >= 0 && ino >= 0 && dev < 18446744073709551616.0 && ino < 18446744073709551616.0;
}

static napi_value js_punch_if_idle(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  struct ls_engine *e;
  if (!ls_napi_args(env, info, 6, argv) || !ls_napi_engine_of(env, argv[0], &e)) return NULL;
  double dev, ino, fd, offset, length;
  if (!ls_napi_ok(env, napi_get_value_double(env, argv[1], &dev)) || !ls_napi_ok(env, napi_get_value_double(env, argv[2], &ino)) ||
      !ls_napi_ok(env, napi_get_value_double(env, argv[3], &fd)) || !ls_napi_ok(env, napi_get_value_double(env, argv[4], &offset)) ||
      !ls_napi_ok(env, napi_get_value_double(env, argv[5], &length)))
    return NULL;
  int r = offset < 0 || length <= 0 || !identity_ok(dev, ino) || !(fd >= 0 && fd <= INT32_MAX) ? -EINVAL
                                    : ls_nodes_punch_if_idle(&e->nodes, (dev_t)dev, (ino_t)ino, (int)fd, (off_t)offset, (off_t)length);
  napi_value out;
  return ls_napi_ok(env, napi_create_int32(env, r, &out)) ? out : NULL;
}

static napi_value js_consumer_done(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  struct ls_engine *e;
  if (!ls_napi_args(env, info, 4, argv) || !ls_napi_engine_of(env, argv[0], &e)) return NULL;
  double dev, ino;
  uint32_t last_open;
  if (!ls_napi_ok(env, napi_get_value_double(env, argv[1], &dev)) || !ls_napi_ok(env, napi_get_value_double(env, argv[2], &ino)) ||
      !ls_napi_ok(env, napi_get_value_uint32(env, argv[3], &last_open)))
    return NULL;
  if (identity_ok(dev, ino)) ls_nodes_consumer_done(&e->nodes, (dev_t)dev, (ino_t)ino, last_open);
  return NULL;
}

static napi_value js_counters(napi_env env, napi_callback_info info) {
  napi_value handle;
  struct ls_engine *e;
  if (!ls_napi_args(env, info, 1, &handle) || !ls_napi_engine_of(env, handle, &e)) return NULL;
  struct ls_counters *c = &e->counters;
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
      !ls_napi_set_number(env, o, "bytesWritten",
                          (double)atomic_load_explicit(&c->bytes_written, memory_order_relaxed)) ||
      !ls_napi_set_number(env, o, "largestWrite",
                          (double)atomic_load_explicit(&c->largest_write, memory_order_relaxed)) ||
      !ls_napi_set_number(env, o, "ringDropped",
                          atomic_load_explicit(&e->ring.hdr->dropped, memory_order_relaxed)) ||
      !ls_napi_set_number(env, o, "fileEventsDropped",
                          (double)atomic_load_explicit(&e->events.dropped, memory_order_relaxed)))
    return NULL;
  return o;
}

/* A question from a FUSE thread (gone.h), carried to the JavaScript thread by a threadsafe
 * function and answered there once the handler has returned. */
struct gone_question {
  dev_t dev;
  ino_t ino;
  uint64_t ticket;
};

/* The handler's registration: the engine's ctx for it, the function's context and finalize data. */
struct gone_link {
  struct ls_engine *e;
  napi_threadsafe_function tsfn;
};

static bool ask_js(void *ctx, dev_t dev, ino_t ino, uint64_t ticket) {
  struct gone_link *link = ctx;
  struct gone_question *q = malloc(sizeof(*q));
  if (!q) return false;
  *q = (struct gone_question){.dev = dev, .ino = ino, .ticket = ticket};
  if (napi_call_threadsafe_function(link->tsfn, q, napi_tsfn_nonblocking) != napi_ok) {
    free(q);
    return false;
  }
  return true;
}

static void call_gone_handler(napi_env env, napi_value fn, void *context, void *data) {
  struct gone_question *q = data;
  if (!env) {
    /* the function is being deleted and finalize_gone has freed the link (and answered every
     * question): only the leftover question itself is ours to free */
    free(q);
    return;
  }
  struct gone_link *link = context;
  if (fn) {
    napi_value args[2], undefined;
    if (napi_create_double(env, (double)q->dev, &args[0]) == napi_ok &&
        napi_create_double(env, (double)q->ino, &args[1]) == napi_ok &&
        napi_get_undefined(env, &undefined) == napi_ok &&
        napi_call_function(env, undefined, fn, 2, args, NULL) != napi_ok) {
      /* the handler must not throw; if it does, the question still counts as answered */
      bool pending = false;
      napi_value ignored;
      if (napi_is_exception_pending(env, &pending) == napi_ok && pending)
        napi_get_and_clear_last_exception(env, &ignored);
    }
  }
  ls_gone_answered(link->e, q->ticket);
  free(q);
}

static void finalize_gone(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  struct gone_link *link = data;
  ls_gone_clear_handler(link->e, link);
  ls_engine_unref(link->e);
  free(link);
}

/* onFileGone(handle, fn): fn(dev, ino) is called on this thread when a file the engine told of
 * has lost its last name and handle; the operation waits for it to return (bounded). The
 * threadsafe function does not keep the process alive; an unmount that stopped the engine
 * releases it. */
static napi_value js_on_file_gone(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  struct ls_engine *e;
  if (!ls_napi_args(env, info, 2, argv) || !ls_napi_engine_of(env, argv[0], &e)) return NULL;
  napi_valuetype t;
  if (!ls_napi_ok(env, napi_typeof(env, argv[1], &t))) return NULL;
  if (t != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "the handler must be a function");
    return NULL;
  }
  if (ls_gone_handler(e)) {
    napi_throw_error(env, "EEXIST", "a file-gone handler is already set");
    return NULL;
  }
  struct gone_link *link = calloc(1, sizeof(*link));
  napi_value name;
  if (!link) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  link->e = e;
  if (!ls_napi_ok(env, napi_create_string_utf8(env, "logshadow.fileGone", NAPI_AUTO_LENGTH, &name)) ||
      !ls_napi_ok(env, napi_create_threadsafe_function(env, argv[1], NULL, name, 0, 1, link, finalize_gone, link,
                                                       call_gone_handler, &link->tsfn))) {
    free(link);
    return NULL;
  }
  ls_engine_ref(e); /* the link's, dropped by finalize_gone */
  napi_unref_threadsafe_function(env, link->tsfn);
  if (!ls_gone_set_handler(e, ask_js, link)) {
    napi_release_threadsafe_function(link->tsfn, napi_tsfn_release);
    napi_throw_error(env, "EEXIST", "a file-gone handler is already set");
    return NULL;
  }
  return NULL;
}

/* Once the loop has stopped no operation can ask any more: the handler goes. */
static void release_gone_handler(struct ls_engine *e) {
  struct gone_link *link = ls_gone_handler(e);
  if (link && ls_gone_clear_handler(e, link)) napi_release_threadsafe_function(link->tsfn, napi_tsfn_release);
}

struct unmount_work {
  napi_async_work work;
  napi_deferred deferred;
  struct ls_engine *e;
  struct ls_unmount_result res;
};

/* On a libuv pool thread: umount2 may wait for the writeback cache to flush, and the loop is
 * given a few seconds to stop, none of which may hold up the JavaScript thread. */
static void unmount_execute(napi_env env, void *data) {
  (void)env;
  struct unmount_work *w = data;
  ls_engine_unmount(w->e, &w->res);
}

static void unmount_complete(napi_env env, napi_status status, void *data) {
  struct unmount_work *w = data;
  if (w->res.stopped) release_gone_handler(w->e);
  napi_value o = NULL;
  if (status == napi_ok && napi_create_object(env, &o) == napi_ok) {
    const char *code = w->res.error ? strerrorname_np(w->res.error) : NULL;
    napi_value err;
    if (code)
      napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &err);
    else
      napi_get_null(env, &err);
    if (ls_napi_set_number(env, o, "unsyncedLeft", (double)w->res.unsynced_left) &&
        ls_napi_set_bool(env, o, "wasMounted", w->res.was_mounted) &&
        ls_napi_set_bool(env, o, "lazy", w->res.lazy) && ls_napi_set_bool(env, o, "stopped", w->res.stopped) &&
        ls_napi_set_value(env, o, "error", err))
      napi_resolve_deferred(env, w->deferred, o);
    else
      o = NULL;
  }
  if (!o) {
    napi_value msg, error;
    napi_create_string_utf8(env, "unmount could not report its result", NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, NULL, msg, &error);
    napi_reject_deferred(env, w->deferred, error);
  }
  napi_delete_async_work(env, w->work);
  ls_engine_unref(w->e);
  free(w);
}

static napi_value js_unmount(napi_env env, napi_callback_info info) {
  napi_value handle;
  struct ls_engine *e;
  if (!ls_napi_args(env, info, 1, &handle) || !ls_napi_engine_of(env, handle, &e)) return NULL;
  struct unmount_work *w = calloc(1, sizeof(*w));
  if (!w) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  napi_value promise, name;
  if (!ls_napi_ok(env, napi_create_promise(env, &w->deferred, &promise)) ||
      !ls_napi_ok(env, napi_create_string_utf8(env, "logshadow.unmount", NAPI_AUTO_LENGTH, &name)) ||
      !ls_napi_ok(env, napi_create_async_work(env, NULL, name, unmount_execute, unmount_complete, w, &w->work))) {
    free(w);
    return NULL;
  }
  w->e = e;
  ls_engine_ref(e);
  if (!ls_napi_ok(env, napi_queue_async_work(env, w->work))) {
    ls_engine_unref(e);
    napi_delete_async_work(env, w->work);
    free(w);
    return NULL;
  }
  return promise;
}

NAPI_MODULE_INIT() {
  if (!ls_napi_export_function(env, exports, "mount", js_mount) ||
      !ls_napi_export_function(env, exports, "drainFileEvents", js_drain_file_events) ||
      !ls_napi_export_function(env, exports, "counters", js_counters) ||
      !ls_napi_export_function(env, exports, "punchIfIdle", js_punch_if_idle) ||
      !ls_napi_export_function(env, exports, "onFileGone", js_on_file_gone) ||
      !ls_napi_export_function(env, exports, "consumerDone", js_consumer_done) ||
      !ls_napi_export_function(env, exports, "unmount", js_unmount) ||
      !ls_napi_export_tier_functions(env, exports) ||
      !ls_napi_export_ring_layout(env, exports))
    return NULL;
  return exports;
}
