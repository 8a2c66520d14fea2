/* logshadow_sys: the system calls of sys.h, without libfuse. Every call returns 0 or -errno and
 * throws only a TypeError for an argument of the wrong type. */
#include <errno.h>

#include "../sys.h"
#include "util.h"

static napi_value result(napi_env env, int r) {
  napi_value v;
  napi_create_int32(env, r, &v);
  return v;
}

/* mknod(path, mode, dev) */
static napi_value js_mknod(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  char path[4097];
  size_t len = 0;
  double mode, dev;
  if (!ls_napi_args(env, info, 3, argv)) return NULL;
  if (napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len) != napi_ok ||
      napi_get_value_double(env, argv[1], &mode) != napi_ok || napi_get_value_double(env, argv[2], &dev) != napi_ok) {
    napi_throw_type_error(env, NULL, "mknod(path: string, mode: number, dev: number)");
    return NULL;
  }
  if (len >= 4096) return result(env, -ENAMETOOLONG);
  if (!(mode >= 0 && mode < 4294967296.0 && dev >= 0 && dev < 18446744073709551616.0)) return result(env, -EINVAL);
  return result(env, ls_mknod(path, (mode_t)mode, (uint64_t)dev));
}

/* raiseNofileLimit(): { error: 0 or -errno, soft, hard } */
static napi_value js_raise_nofile(napi_env env, napi_callback_info info) {
  (void)info;
  uint64_t soft = 0, hard = 0;
  int r = ls_raise_nofile(&soft, &hard);
  napi_value o;
  if (!ls_napi_ok(env, napi_create_object(env, &o)) || !ls_napi_set_number(env, o, "error", r) ||
      !ls_napi_set_number(env, o, "soft", (double)soft) || !ls_napi_set_number(env, o, "hard", (double)hard))
    return NULL;
  return o;
}

/* setIdleScheduling(tid, idle): 0 or -errno (tid 0: the calling thread) */
static napi_value js_set_idle_scheduling(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  double tid;
  bool idle;
  if (!ls_napi_args(env, info, 2, argv)) return NULL;
  if (napi_get_value_double(env, argv[0], &tid) != napi_ok || napi_get_value_bool(env, argv[1], &idle) != napi_ok) {
    napi_throw_type_error(env, NULL, "setIdleScheduling(tid: number, idle: boolean)");
    return NULL;
  }
  if (!(tid >= 0 && tid <= 2147483647.0)) return result(env, -EINVAL);
  return result(env, ls_set_idle_scheduling((pid_t)tid, idle));
}

/* lowerMainIfRaised(): 0 or -errno (from the main thread) */
static napi_value js_lower_main_if_raised(napi_env env, napi_callback_info info) {
  (void)info;
  return result(env, ls_lower_main_if_raised());
}

/* wakerStart(fds: number[]): 0 or -errno */
static napi_value js_waker_start(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  uint32_t n = 0;
  int fds[LS_WAKER_MAX_FDS];
  if (!ls_napi_args(env, info, 1, argv)) return NULL;
  if (napi_get_array_length(env, argv[0], &n) != napi_ok) {
    napi_throw_type_error(env, NULL, "wakerStart(fds: number[])");
    return NULL;
  }
  if (n > LS_WAKER_MAX_FDS) return result(env, -EINVAL);
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    if (napi_get_element(env, argv[0], i, &v) != napi_ok || !ls_napi_int32(env, v, "fd", &fds[i])) return NULL;
    if (fds[i] < 0) return result(env, -EBADF);
  }
  return result(env, ls_waker_start(fds, n));
}

static napi_value js_waker_stop(napi_env env, napi_callback_info info) {
  (void)info;
  (void)env;
  ls_waker_stop();
  return NULL;
}

NAPI_MODULE_INIT() {
  if (!ls_napi_export_function(env, exports, "mknod", js_mknod) ||
      !ls_napi_export_function(env, exports, "raiseNofileLimit", js_raise_nofile) ||
      !ls_napi_export_function(env, exports, "setIdleScheduling", js_set_idle_scheduling) ||
      !ls_napi_export_function(env, exports, "lowerMainIfRaised", js_lower_main_if_raised) ||
      !ls_napi_export_function(env, exports, "wakerStart", js_waker_start) ||
      !ls_napi_export_function(env, exports, "wakerStop", js_waker_stop))
    return NULL;
  return exports;
}
