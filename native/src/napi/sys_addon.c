/* logshadow_sys: the system calls of sys.h, without libfuse. Every call returns 0 or -errno and
 * throws only a TypeError for an argument of the wrong type. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../sys.h"
#include "util.h"

static napi_value result(napi_env env, int r) {
  napi_value v;
  napi_create_int32(env, r, &v);
  return v;
}

/* A path argument (PATH_MAX bytes at most, NUL included) into buf; false with an exception. */
static bool path_arg(napi_env env, napi_value v, char buf[4097], bool *too_long) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, buf, 4097, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "path must be a string");
    return false;
  }
  *too_long = len >= 4096;
  return true;
}

static bool number_arg(napi_env env, napi_value v, const char *what, double *out) {
  if (napi_get_value_double(env, v, out) == napi_ok) return true;
  char msg[64];
  snprintf(msg, sizeof msg, "%s must be a number", what);
  napi_throw_type_error(env, NULL, msg);
  return false;
}

/* mknod(path, mode, dev) */
static napi_value js_mknod(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  char path[4097];
  bool too_long;
  double mode, dev;
  if (!ls_napi_args(env, info, 3, argv) || !path_arg(env, argv[0], path, &too_long) ||
      !number_arg(env, argv[1], "mode", &mode) || !number_arg(env, argv[2], "dev", &dev))
    return NULL;
  if (too_long) return result(env, -ENAMETOOLONG);
  if (!(mode >= 0 && mode < 4294967296.0 && dev >= 0 && dev < 18446744073709551616.0)) return result(env, -EINVAL);
  return result(env, ls_mknod(path, (mode_t)mode, (uint64_t)dev));
}

/* utimens(path, atimeMs, mtimeMs): -1 is now, -2 leaves that time as it is */
static napi_value js_utimens(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  char path[4097];
  bool too_long;
  double atime, mtime;
  if (!ls_napi_args(env, info, 3, argv) || !path_arg(env, argv[0], path, &too_long) ||
      !number_arg(env, argv[1], "atimeMs", &atime) || !number_arg(env, argv[2], "mtimeMs", &mtime))
    return NULL;
  if (too_long) return result(env, -ENAMETOOLONG);
  return result(env, ls_utimens(path, atime, mtime));
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

NAPI_MODULE_INIT() {
  if (!ls_napi_export_function(env, exports, "mknod", js_mknod) ||
      !ls_napi_export_function(env, exports, "utimens", js_utimens) ||
      !ls_napi_export_function(env, exports, "raiseNofileLimit", js_raise_nofile))
    return NULL;
  return exports;
}
