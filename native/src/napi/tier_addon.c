/*
 * The tiered mount's JavaScript face, shared by the native engine's addon and logshadow_tiers
 * (tier_owner.h): syncs asked for by the daemon (`logshadow sync`, severity, forecast), the
 * disk-reservation hints, and the tiers' figures for stats. Syncs that are waited for run on
 * libuv's pool, never on the JavaScript thread: a sync can take as long as the disk does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../path_below.h"
#include "../tier/tier.h"
#include "tier_js.h"
#include "tier_owner.h"
#include "util.h"

/* dev < 0: every file. */
static bool file_of(napi_env env, napi_value vdev, napi_value vino, bool *all, dev_t *dev, ino_t *ino) {
  uint64_t d = 0, i = 0;
  if (!ls_napi_file_identity(env, vdev, vino, all, &d, &i)) return false;
  *dev = (dev_t)d;
  *ino = (ino_t)i;
  return true;
}

struct sync_work {
  napi_async_work work;
  napi_deferred deferred;
  struct ls_tier_owner owner;
  bool all;
  dev_t dev;
  ino_t ino;
  enum ls_sync_trigger trigger;
  uint64_t timeout_ms;
  int result;
  uint64_t bytes;
  double ms;
};

static void sync_execute(napi_env env, void *data) {
  (void)env;
  struct sync_work *w = data;
  double t0 = ls_tier_now_ms();
  w->result = ls_tiers_sync(w->owner.ts, w->all, w->dev, w->ino, w->trigger, true, w->timeout_ms, &w->bytes);
  w->ms = ls_tier_now_ms() - t0;
}

static void sync_complete(napi_env env, napi_status status, void *data) {
  struct sync_work *w = data;
  napi_value o, err;
  const char *code = w->result < 0 ? strerrorname_np(-w->result) : NULL;
  if (status == napi_ok && napi_create_object(env, &o) == napi_ok &&
      (code ? napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &err) : napi_get_null(env, &err)) == napi_ok &&
      ls_napi_set_value(env, o, "error", err) && ls_napi_set_number(env, o, "bytes", (double)w->bytes) &&
      ls_napi_set_number(env, o, "ms", w->ms)) {
    napi_resolve_deferred(env, w->deferred, o);
  } else {
    napi_value msg, error;
    napi_create_string_utf8(env, "sync could not report its result", NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, NULL, msg, &error);
    napi_reject_deferred(env, w->deferred, error);
  }
  napi_delete_async_work(env, w->work);
  w->owner.unref(w->owner.self);
  free(w);
}

/* syncNow(handle, dev, ino, trigger, timeoutMs): a promise of {error, bytes, ms} once durable. */
static napi_value js_sync_now(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  struct ls_tier_owner owner;
  if (!ls_napi_args(env, info, 5, argv) || !ls_napi_tier_owner(env, argv[0], &owner)) return NULL;
  struct sync_work *w = calloc(1, sizeof(*w));
  if (!w) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  double timeout;
  napi_value promise, name;
  if (!file_of(env, argv[1], argv[2], &w->all, &w->dev, &w->ino) || !ls_napi_sync_trigger(env, argv[3], &w->trigger) ||
      !ls_napi_ok(env, napi_get_value_double(env, argv[4], &timeout)) ||
      !ls_napi_ok(env, napi_create_promise(env, &w->deferred, &promise)) ||
      !ls_napi_ok(env, napi_create_string_utf8(env, "logshadow.sync", NAPI_AUTO_LENGTH, &name)) ||
      !ls_napi_ok(env, napi_create_async_work(env, NULL, name, sync_execute, sync_complete, w, &w->work))) {
    free(w);
    return NULL;
  }
  w->timeout_ms = timeout > 0 ? (uint64_t)timeout : 0;
  w->owner = owner;
  owner.ref(owner.self);
  if (!ls_napi_ok(env, napi_queue_async_work(env, w->work))) {
    owner.unref(owner.self);
    napi_delete_async_work(env, w->work);
    free(w);
    return NULL;
  }
  return promise;
}

/* requestSync(handle, dev, ino, trigger): asks and returns at once. */
static napi_value js_request_sync(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  struct ls_tier_owner owner;
  bool all;
  dev_t dev = 0;
  ino_t ino = 0;
  enum ls_sync_trigger trigger;
  if (!ls_napi_args(env, info, 4, argv) || !ls_napi_tier_owner(env, argv[0], &owner) ||
      !file_of(env, argv[1], argv[2], &all, &dev, &ino) || !ls_napi_sync_trigger(env, argv[3], &trigger))
    return NULL;
  ls_tiers_sync(owner.ts, all, dev, ino, trigger, false, 0, NULL);
  return NULL;
}

/* reserveHint(handle, dev, ino, bytes): the forecast bytes between two syncs of that file. */
static napi_value js_reserve_hint(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  struct ls_tier_owner owner;
  bool all;
  dev_t dev = 0;
  ino_t ino = 0;
  double bytes;
  if (!ls_napi_args(env, info, 4, argv) || !ls_napi_tier_owner(env, argv[0], &owner) ||
      !file_of(env, argv[1], argv[2], &all, &dev, &ino) || !ls_napi_ok(env, napi_get_value_double(env, argv[3], &bytes)))
    return NULL;
  if (!all && bytes >= 0 && bytes < 9007199254740992.0) ls_tiers_hint(owner.ts, dev, ino, (uint64_t)bytes);
  return NULL;
}

/* tierStats(handle, maxFiles): the totals, and in `list` the files with the most unsynced bytes. */
static napi_value js_tier_stats(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  struct ls_tier_owner owner;
  uint32_t max;
  if (!ls_napi_args(env, info, 2, argv) || !ls_napi_tier_owner(env, argv[0], &owner) ||
      !ls_napi_ok(env, napi_get_value_uint32(env, argv[1], &max)))
    return NULL;
  struct ls_tier_totals t;
  ls_tiers_totals(owner.ts, &t);
  napi_value o, files;
  if (!ls_napi_tier_totals(env, &t, &o)) return NULL;
  struct ls_tier_file *fs = max ? calloc(max, sizeof(*fs)) : NULL;
  size_t n = fs ? ls_tiers_files(owner.ts, fs, max) : 0;
  bool ok = ls_napi_ok(env, napi_create_array_with_length(env, n, &files));
  for (size_t i = 0; i < n; i++) {
    napi_value f;
    char *path = ok && fs[i].disk_fd >= 0 ? ls_path_below(owner.root, owner.root_len, fs[i].disk_fd) : NULL;
    ok = ok && ls_napi_ok(env, napi_create_object(env, &f)) && ls_napi_set_number(env, f, "dev", (double)fs[i].dev) &&
         ls_napi_set_number(env, f, "ino", (double)fs[i].ino) && ls_napi_set_string(env, f, "path", path ? path : "") &&
         ls_napi_set_number(env, f, "size", (double)fs[i].size) && ls_napi_set_number(env, f, "synced", (double)fs[i].synced) &&
         ls_napi_set_number(env, f, "unsyncedBytes", (double)fs[i].unsynced) &&
         ls_napi_set_number(env, f, "unsyncedAgeMs", fs[i].unsynced_age_ms) &&
         ls_napi_ok(env, napi_set_element(env, files, (uint32_t)i, f));
    free(path);
    if (fs[i].disk_fd >= 0) close(fs[i].disk_fd);
  }
  free(fs);
  return ok && ls_napi_set_value(env, o, "list", files) ? o : NULL;
}

bool ls_napi_export_tier_functions(napi_env env, napi_value exports) {
  return ls_napi_export_function(env, exports, "syncNow", js_sync_now) &&
         ls_napi_export_function(env, exports, "requestSync", js_request_sync) &&
         ls_napi_export_function(env, exports, "reserveHint", js_reserve_hint) &&
         ls_napi_export_function(env, exports, "tierStats", js_tier_stats);
}
