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

/* (path, a, b): a path of at most PATH_MAX bytes (NUL included; *too_long otherwise) and two
 * numbers; false with an exception for an argument of the wrong type. */
static bool path_and_numbers(napi_env env, napi_callback_info info, const char *names[2], char path[4097],
                             bool *too_long, double nums[2]) {
  napi_value argv[3];
  size_t len = 0;
  if (!ls_napi_args(env, info, 3, argv)) return false;
  if (napi_get_value_string_utf8(env, argv[0], path, 4097, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "path must be a string");
    return false;
  }
  *too_long = len >= 4096;
  for (int i = 0; i < 2; i++) {
    if (napi_get_value_double(env, argv[i + 1], &nums[i]) != napi_ok) {
      char msg[64];
      snprintf(msg, sizeof msg, "%s must be a number", names[i]);
      napi_throw_type_error(env, NULL, msg);
      return false;
    }
  }
  return true;
}

/* mknod(path, mode, dev) */
static napi_value js_mknod(napi_env env, napi_callback_info info) {
  static const char *names[2] = {"mode", "dev"};
  char path[4097];
  bool too_long;
  double n[2];
  if (!path_and_numbers(env, info, names, path, &too_long, n)) return NULL;
  if (too_long) return result(env, -ENAMETOOLONG);
  if (!(n[0] >= 0 && n[0] < 4294967296.0 && n[1] >= 0 && n[1] < 18446744073709551616.0)) return result(env, -EINVAL);
  return result(env, ls_mknod(path, (mode_t)n[0], (uint64_t)n[1]));
}

/* utimens(path, atimeMs, mtimeMs): -1 is now, -2 leaves that time as it is */
static napi_value js_utimens(napi_env env, napi_callback_info info) {
  static const char *names[2] = {"atimeMs", "mtimeMs"};
  char path[4097];
  bool too_long;
  double n[2];
  if (!path_and_numbers(env, info, names, path, &too_long, n)) return NULL;
  return result(env, too_long ? -ENAMETOOLONG : ls_utimens(path, n[0], n[1]));
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
