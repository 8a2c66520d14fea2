/*
 * logshadow_tiers: tiers that stand alone, without the native engine (no libfuse): the data
 * path of the fuse-native engine's tiered mounts, called from its JavaScript operations (which
 * run one at a time on the JavaScript thread), and `logshadow recover`. The tier core is the
 * native engine's own (tier/tier.h); only the calls into it are made from JavaScript here.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../tier/tier.h"
#include "tier_owner.h"
#include "util.h"

static const napi_type_tag TIERS_TAG = {0x6c6f67736861646full, 0x77746965727301ull};

struct standalone {
  _Atomic int refs;
  bool open; /* between open() and close() */
  struct ls_tiers ts;
  char root[PATH_MAX + 1];
  size_t root_len;
};

static void sa_ref(void *self) { atomic_fetch_add(&((struct standalone *)self)->refs, 1); }

static void sa_unref(void *self) {
  struct standalone *s = self;
  if (atomic_fetch_sub(&s->refs, 1) != 1) return;
  if (s->open) {
    /* dropped without close(): the tails stay in the RAM directory for the next mount */
    ls_tiers_close(&s->ts, 0);
    ls_tiers_destroy(&s->ts);
  }
  free(s);
}

static void finalize_handle(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  sa_unref(data);
}

static bool standalone_of(napi_env env, napi_value handle, struct standalone **out) {
  bool ok = false;
  napi_valuetype t;
  if (!ls_napi_ok(env, napi_typeof(env, handle, &t))) return false;
  if (t == napi_object && !ls_napi_ok(env, napi_check_object_type_tag(env, handle, &TIERS_TAG, &ok))) return false;
  void *data = NULL;
  if (ok && !ls_napi_ok(env, napi_unwrap(env, handle, &data))) return false;
  if (!ok || !((struct standalone *)data)->open) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "not an open handle returned by open()");
    return false;
  }
  *out = data;
  return true;
}

bool ls_napi_tier_owner(napi_env env, napi_value handle, struct ls_tier_owner *out) {
  struct standalone *s;
  if (!standalone_of(env, handle, &s)) return false;
  *out = (struct ls_tier_owner){.ts = &s->ts, .root = s->root, .root_len = s->root_len,
                                .self = s, .ref = sa_ref, .unref = sa_unref};
  return true;
}

static napi_value number(napi_env env, double v) {
  napi_value out;
  return ls_napi_ok(env, napi_create_double(env, v, &out)) ? out : NULL;
}

static napi_value boolean(napi_env env, bool v) {
  napi_value out;
  return ls_napi_ok(env, napi_get_boolean(env, v, &out)) ? out : NULL;
}

static napi_value undefined(napi_env env) {
  napi_value out;
  napi_get_undefined(env, &out);
  return out;
}

static napi_value throw_errno(napi_env env, int err, const char *msg) {
  const char *code = strerrorname_np(err);
  napi_throw_error(env, code ? code : "EIO", msg);
  return NULL;
}

/* open({diskFd, ramDirFd, maxUnsynced, syncIntervalMs, diskReserve}): the tiers of a disk
 * directory over a RAM directory, RAM copies left behind adopted, the sync thread started. */
static napi_value js_open(napi_env env, napi_callback_info info) {
  napi_value opts;
  if (!ls_napi_args(env, info, 1, &opts)) return NULL;
  uint32_t disk_fd = 0, ram_fd = 0;
  uint64_t max_unsynced = 64ull << 20, interval = 300000;
  bool reserve = true, has_disk, has_ram, present;
  if (!ls_napi_prop_uint32(env, opts, "diskFd", &disk_fd, &has_disk) ||
      !ls_napi_prop_uint32(env, opts, "ramDirFd", &ram_fd, &has_ram) ||
      !ls_napi_prop_uint64(env, opts, "maxUnsynced", &max_unsynced, &present) ||
      !ls_napi_prop_uint64(env, opts, "syncIntervalMs", &interval, &present) ||
      !ls_napi_prop_bool(env, opts, "diskReserve", &reserve, &present))
    return NULL;
  if (!has_disk || !has_ram || max_unsynced == 0 || interval == 0) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "diskFd and ramDirFd are required; maxUnsynced and syncIntervalMs positive");
    return NULL;
  }
  struct standalone *s = calloc(1, sizeof(*s));
  if (!s) return throw_errno(env, ENOMEM, "out of memory");
  atomic_init(&s->refs, 1);
  char proc[40];
  snprintf(proc, sizeof proc, "/proc/self/fd/%u", disk_fd);
  ssize_t n = readlink(proc, s->root, PATH_MAX);
  s->root_len = n > 1 ? (size_t)n : 0;
  struct ls_tier_options o = {
      .disk_root_fd = fcntl((int)disk_fd, F_DUPFD_CLOEXEC, 0),
      .ram_dir_fd = fcntl((int)ram_fd, F_DUPFD_CLOEXEC, 0),
      .max_unsynced = max_unsynced,
      .interval_ms = interval,
      .disk_reserve = reserve,
  };
  char err[256] = "";
  int r = o.disk_root_fd < 0 || o.ram_dir_fd < 0 ? -EBADF : ls_tiers_open(&s->ts, &o, err, sizeof err);
  if (r < 0) {
    if (o.disk_root_fd >= 0) close(o.disk_root_fd);
    if (o.ram_dir_fd >= 0) close(o.ram_dir_fd);
    free(s);
    return throw_errno(env, -r, err[0] ? err : "bad descriptors");
  }
  s->open = true;
  napi_value handle;
  if (!ls_napi_ok(env, napi_create_object(env, &handle)) ||
      !ls_napi_ok(env, napi_wrap(env, handle, s, finalize_handle, NULL, NULL))) {
    sa_unref(s);
    return NULL;
  }
  if (!ls_napi_ok(env, napi_type_tag_object(env, handle, &TIERS_TAG))) return NULL;
  return handle;
}

struct close_work {
  napi_async_work work;
  napi_deferred deferred;
  struct standalone *s;
  uint64_t deadline_ms;
  uint64_t left;
};

static void close_execute(napi_env env, void *data) {
  (void)env;
  struct close_work *w = data;
  w->left = ls_tiers_close(&w->s->ts, w->deadline_ms);
  ls_tiers_release(&w->s->ts);
  ls_tiers_destroy(&w->s->ts);
  close(w->s->ts.o.disk_root_fd);
}

static void close_complete(napi_env env, napi_status status, void *data) {
  (void)status;
  struct close_work *w = data;
  napi_value left = number(env, (double)w->left);
  if (left) napi_resolve_deferred(env, w->deferred, left);
  napi_delete_async_work(env, w->work);
  sa_unref(w->s);
  free(w);
}

/* close(handle, deadlineMs): the final sync, bounded; resolves to the unsynced bytes left in RAM
 * (kept in the RAM directory for the next mount). No call may use the handle afterwards. */
static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  struct standalone *s;
  double deadline;
  if (!ls_napi_args(env, info, 2, argv) || !standalone_of(env, argv[0], &s) ||
      !ls_napi_ok(env, napi_get_value_double(env, argv[1], &deadline)))
    return NULL;
  struct close_work *w = calloc(1, sizeof(*w));
  napi_value promise, name;
  if (!w) return throw_errno(env, ENOMEM, "out of memory");
  if (!ls_napi_ok(env, napi_create_promise(env, &w->deferred, &promise)) ||
      !ls_napi_ok(env, napi_create_string_utf8(env, "logshadow.tiers.close", NAPI_AUTO_LENGTH, &name)) ||
      !ls_napi_ok(env, napi_create_async_work(env, NULL, name, close_execute, close_complete, w, &w->work))) {
    free(w);
    return NULL;
  }
  s->open = false;
  w->s = s;
  w->deadline_ms = deadline > 0 ? (uint64_t)deadline : 0;
  sa_ref(s);
  if (!ls_napi_ok(env, napi_queue_async_work(env, w->work))) {
    sa_unref(s);
    free(w);
    return NULL;
  }
  return promise;
}

static bool tier_of(napi_env env, napi_value v, struct ls_tier **out) {
  void *data = NULL;
  if (!ls_napi_ok(env, napi_get_value_external(env, v, &data))) return false;
  *out = data;
  return true;
}

static bool identity_of(napi_env env, napi_value vdev, napi_value vino, dev_t *dev, ino_t *ino) {
  double d, i;
  if (!ls_napi_ok(env, napi_get_value_double(env, vdev, &d)) || !ls_napi_ok(env, napi_get_value_double(env, vino, &i)))
    return false;
  if (!(d >= 0 && i >= 0 && d < 18446744073709551616.0 && i < 18446744073709551616.0)) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "not a file identity");
    return false;
  }
  *dev = (dev_t)d;
  *ino = (ino_t)i;
  return true;
}

static napi_value tier_value(napi_env env, struct ls_tier *t) {
  napi_value out;
  if (!t) return ls_napi_ok(env, napi_get_null(env, &out)) ? out : NULL;
  return ls_napi_ok(env, napi_create_external(env, t, NULL, NULL, &out)) ? out : NULL;
}

/* get(handle, fd, forWriting): the tier of the file behind fd, a reference for the caller to put;
 * null when it cannot be tiered (served from the disk side then). */
static napi_value js_get(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  struct standalone *s;
  int32_t fd;
  bool writing;
  if (!ls_napi_args(env, info, 3, argv) || !standalone_of(env, argv[0], &s) || !ls_napi_int32(env, argv[1], "fd", &fd) ||
      !ls_napi_ok(env, napi_get_value_bool(env, argv[2], &writing)))
    return NULL;
  int err = 0;
  struct ls_tier *t = ls_tier_get(&s->ts, fd, writing, &err);
  if (!t && err != -ENOTSUP) return throw_errno(env, -err, "cannot tier the file");
  return tier_value(env, t);
}

/* find(handle, dev, ino): the tier of that file if there is one (a reference), else null. */
static napi_value js_find(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  struct standalone *s;
  dev_t dev;
  ino_t ino;
  if (!ls_napi_args(env, info, 3, argv) || !standalone_of(env, argv[0], &s) || !identity_of(env, argv[1], argv[2], &dev, &ino))
    return NULL;
  return tier_value(env, ls_tier_find(&s->ts, dev, ino));
}

static napi_value js_put(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  struct standalone *s;
  struct ls_tier *t;
  if (!ls_napi_args(env, info, 2, argv) || !standalone_of(env, argv[0], &s) || !tier_of(env, argv[1], &t)) return NULL;
  ls_tier_put(&s->ts, t);
  return undefined(env);
}

static bool buffer_of(napi_env env, napi_value v, void **data, size_t *len) {
  return ls_napi_ok(env, napi_get_buffer_info(env, v, data, len));
}

/* write(handle, tier, buffer, offset) and read(...): bytes, or -errno. */
static napi_value js_write(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  struct standalone *s;
  struct ls_tier *t;
  void *data;
  size_t len;
  int64_t off;
  bool valid;
  if (!ls_napi_args(env, info, 4, argv) || !standalone_of(env, argv[0], &s) || !tier_of(env, argv[1], &t) ||
      !buffer_of(env, argv[2], &data, &len) || !ls_napi_offset(env, argv[3], "offset", &off, &valid))
    return NULL;
  return number(env, valid ? (double)ls_tier_write(&s->ts, t, data, len, (uint64_t)off) : -EINVAL);
}

static napi_value js_read(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  struct standalone *s;
  struct ls_tier *t;
  void *data;
  size_t len;
  int64_t off;
  bool valid;
  if (!ls_napi_args(env, info, 4, argv) || !standalone_of(env, argv[0], &s) || !tier_of(env, argv[1], &t) ||
      !buffer_of(env, argv[2], &data, &len) || !ls_napi_offset(env, argv[3], "offset", &off, &valid))
    return NULL;
  return number(env, valid ? (double)ls_tier_read(t, data, len, (uint64_t)off) : -EINVAL);
}

/* truncate(handle, tier, size): 0 or -errno (the RAM copy, then the disk copy). */
static napi_value js_truncate(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  struct standalone *s;
  struct ls_tier *t;
  int64_t size;
  bool valid;
  if (!ls_napi_args(env, info, 3, argv) || !standalone_of(env, argv[0], &s) || !tier_of(env, argv[1], &t) ||
      !ls_napi_offset(env, argv[2], "size", &size, &valid))
    return NULL;
  return number(env, valid ? ls_tier_truncate(&s->ts, t, (uint64_t)size) : -EINVAL);
}

/* attributes(handle, tier, diskMtimeMs, diskCtimeMs, diskBlocks): the file's own {size, mtimeMs,
 * ctimeMs, blocks} over its disk copy's (ls_tier_stat). */
static napi_value js_attributes(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  struct standalone *s;
  struct ls_tier *t;
  double mtime, ctime, blocks;
  if (!ls_napi_args(env, info, 5, argv) || !standalone_of(env, argv[0], &s) || !tier_of(env, argv[1], &t) ||
      !ls_napi_ok(env, napi_get_value_double(env, argv[2], &mtime)) || !ls_napi_ok(env, napi_get_value_double(env, argv[3], &ctime)) ||
      !ls_napi_ok(env, napi_get_value_double(env, argv[4], &blocks)))
    return NULL;
  struct stat st;
  memset(&st, 0, sizeof st);
  st.st_mtim.tv_sec = (time_t)(mtime / 1000);
  st.st_mtim.tv_nsec = (long)((mtime - (double)st.st_mtim.tv_sec * 1000) * 1e6);
  st.st_ctim.tv_sec = (time_t)(ctime / 1000);
  st.st_ctim.tv_nsec = (long)((ctime - (double)st.st_ctim.tv_sec * 1000) * 1e6);
  st.st_blocks = (blkcnt_t)blocks;
  st.st_size = -1;
  ls_tier_stat(t, &st);
  napi_value o;
  if (!ls_napi_ok(env, napi_create_object(env, &o))) return NULL;
  bool ok = (st.st_size < 0 || ls_napi_set_number(env, o, "size", (double)st.st_size)) &&
            ls_napi_set_number(env, o, "mtimeMs", (double)st.st_mtim.tv_sec * 1e3 + (double)st.st_mtim.tv_nsec / 1e6) &&
            ls_napi_set_number(env, o, "ctimeMs", (double)st.st_ctim.tv_sec * 1e3 + (double)st.st_ctim.tv_nsec / 1e6) &&
            ls_napi_set_number(env, o, "blocks", (double)st.st_blocks);
  return ok ? o : NULL;
}

/* utimes(handle, tier, atimeMs, mtimeMs): the RAM copy's times too (they are the ones shown). */
static napi_value js_utimes(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  struct standalone *s;
  struct ls_tier *t;
  double at, mt;
  if (!ls_napi_args(env, info, 4, argv) || !standalone_of(env, argv[0], &s) || !tier_of(env, argv[1], &t) ||
      !ls_napi_ok(env, napi_get_value_double(env, argv[2], &at)) || !ls_napi_ok(env, napi_get_value_double(env, argv[3], &mt)))
    return NULL;
  int ram = atomic_load(&t->ram_fd);
  struct timespec ts[2] = {{(time_t)(at / 1000), (long)((at - (double)(time_t)(at / 1000) * 1000) * 1e6)},
                           {(time_t)(mt / 1000), (long)((mt - (double)(time_t)(mt / 1000) * 1000) * 1e6)}};
  return number(env, ram >= 0 && futimens(ram, ts) < 0 ? -errno : 0);
}

/* eventFds(handle, tier): [its RAM copy, its disk copy], read-only, for the consumer's open
 * event; [-1, -1] without a RAM copy (the caller's own read descriptor is then the file). */
static napi_value js_event_fds(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  struct standalone *s;
  struct ls_tier *t;
  if (!ls_napi_args(env, info, 2, argv) || !standalone_of(env, argv[0], &s) || !tier_of(env, argv[1], &t)) return NULL;
  int ram = atomic_load(&t->ram_fd), fds[2] = {-1, -1};
  char proc[40];
  if (ram >= 0) {
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", ram);
    fds[0] = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOATIME);
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", t->disk_fd);
    fds[1] = fds[0] >= 0 ? open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOATIME) : -1;
  }
  napi_value arr;
  if (!ls_napi_ok(env, napi_create_array_with_length(env, 2, &arr))) return NULL;
  for (uint32_t i = 0; i < 2; i++)
    if (!ls_napi_ok(env, napi_set_element(env, arr, i, number(env, fds[i])))) return NULL;
  return arr;
}

static napi_value js_throttled(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  struct standalone *s;
  if (!ls_napi_args(env, info, 1, argv) || !standalone_of(env, argv[0], &s)) return NULL;
  return boolean(env, ls_tiers_throttled(&s->ts));
}

static napi_value js_may_wait(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  struct standalone *s;
  if (!ls_napi_args(env, info, 1, argv) || !standalone_of(env, argv[0], &s)) return NULL;
  return boolean(env, ls_tiers_may_wait(&s->ts));
}

/* changed(handle, path): names or metadata of the object at path (relative to the disk
 * directory, never followed) changed: made durable with the next round. */
static napi_value js_changed(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  struct standalone *s;
  char path[PATH_MAX];
  size_t len;
  if (!ls_napi_args(env, info, 2, argv) || !standalone_of(env, argv[0], &s) ||
      !ls_napi_ok(env, napi_get_value_string_utf8(env, argv[1], path, sizeof path, &len)))
    return NULL;
  int fd = openat(s->ts.o.disk_root_fd, len ? path : ".", O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0) {
    ls_tiers_meta_dirty(&s->ts, fd);
    close(fd);
  }
  return undefined(env);
}

/* gone(handle, dev, ino): the file lost its last name; its tail has nowhere to go. */
static napi_value js_gone(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  struct standalone *s;
  dev_t dev;
  ino_t ino;
  if (!ls_napi_args(env, info, 3, argv) || !standalone_of(env, argv[0], &s) || !identity_of(env, argv[1], argv[2], &dev, &ino))
    return NULL;
  ls_tiers_file_gone(&s->ts, dev, ino);
  return undefined(env);
}

struct recover_work {
  napi_async_work work;
  napi_deferred deferred;
  int disk_fd, ram_fd;
  int result;
  uint64_t bytes;
  char err[256];
};

static void recover_execute(napi_env env, void *data) {
  (void)env;
  struct recover_work *w = data;
  w->result = ls_tiers_recover(w->disk_fd, w->ram_fd, &w->bytes, w->err, sizeof(w->err));
}

static void recover_complete(napi_env env, napi_status status, void *data) {
  struct recover_work *w = data;
  napi_value o;
  if (status == napi_ok && w->result >= 0 && napi_create_object(env, &o) == napi_ok &&
      ls_napi_set_number(env, o, "files", w->result) && ls_napi_set_number(env, o, "bytes", (double)w->bytes)) {
    napi_resolve_deferred(env, w->deferred, o);
  } else {
    napi_value msg, code, error;
    const char *name = w->result < 0 ? strerrorname_np(-w->result) : NULL;
    napi_create_string_utf8(env, w->err[0] ? w->err : "recovery failed", NAPI_AUTO_LENGTH, &msg);
    napi_create_string_utf8(env, name ? name : "EIO", NAPI_AUTO_LENGTH, &code);
    napi_create_error(env, code, msg, &error);
    napi_reject_deferred(env, w->deferred, error);
  }
  napi_delete_async_work(env, w->work);
  free(w);
}

/* recover(diskFd, ramDirFd): syncs every RAM copy into the disk side and removes it. */
static napi_value js_recover(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t disk_fd, ram_fd;
  if (!ls_napi_args(env, info, 2, argv) || !ls_napi_int32(env, argv[0], "diskFd", &disk_fd) ||
      !ls_napi_int32(env, argv[1], "ramDirFd", &ram_fd))
    return NULL;
  struct recover_work *w = calloc(1, sizeof(*w));
  napi_value promise, name;
  if (!w) return throw_errno(env, ENOMEM, "out of memory");
  w->disk_fd = disk_fd;
  w->ram_fd = ram_fd;
  if (!ls_napi_ok(env, napi_create_promise(env, &w->deferred, &promise)) ||
      !ls_napi_ok(env, napi_create_string_utf8(env, "logshadow.recover", NAPI_AUTO_LENGTH, &name)) ||
      !ls_napi_ok(env, napi_create_async_work(env, NULL, name, recover_execute, recover_complete, w, &w->work)) ||
      !ls_napi_ok(env, napi_queue_async_work(env, w->work))) {
    free(w);
    return NULL;
  }
  return promise;
}

NAPI_MODULE_INIT() {
  if (!ls_napi_export_function(env, exports, "open", js_open) || !ls_napi_export_function(env, exports, "close", js_close) ||
      !ls_napi_export_function(env, exports, "get", js_get) || !ls_napi_export_function(env, exports, "find", js_find) ||
      !ls_napi_export_function(env, exports, "put", js_put) || !ls_napi_export_function(env, exports, "write", js_write) ||
      !ls_napi_export_function(env, exports, "read", js_read) || !ls_napi_export_function(env, exports, "truncate", js_truncate) ||
      !ls_napi_export_function(env, exports, "attributes", js_attributes) ||
      !ls_napi_export_function(env, exports, "utimes", js_utimes) ||
      !ls_napi_export_function(env, exports, "eventFds", js_event_fds) ||
      !ls_napi_export_function(env, exports, "throttled", js_throttled) ||
      !ls_napi_export_function(env, exports, "mayWait", js_may_wait) ||
      !ls_napi_export_function(env, exports, "changed", js_changed) || !ls_napi_export_function(env, exports, "gone", js_gone) ||
      !ls_napi_export_function(env, exports, "recover", js_recover) || !ls_napi_export_tier_functions(env, exports))
    return NULL;
  return exports;
}
