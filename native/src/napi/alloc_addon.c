/* logshadow_alloc: fallocate and fadvise for the allocator, without libfuse, so that it builds
 * and loads wherever the engine cannot. Every call returns 0 or -errno. */
#include <errno.h>
#include <fcntl.h>

#include "../alloc.h"
#include "util.h"

static napi_value result(napi_env env, int r) {
  napi_value v;
  napi_create_int32(env, r, &v);
  return v;
}

/* (fd, offset, length[, advice]); an offset of the right type but out of range gives -EINVAL */
static bool parse(napi_env env, napi_callback_info info, int32_t *fd, int64_t off[2],
                  int32_t *advice, bool *valid) {
  napi_value argv[4];
  bool ok1, ok2;
  if (!ls_napi_args(env, info, advice ? 4 : 3, argv) || !ls_napi_int32(env, argv[0], "fd", fd) ||
      !ls_napi_offset(env, argv[1], "offset", &off[0], &ok1) ||
      !ls_napi_offset(env, argv[2], "length", &off[1], &ok2) ||
      (advice && !ls_napi_int32(env, argv[3], "advice", advice)))
    return false;
  *valid = ok1 && ok2;
  return true;
}

static napi_value js_fallocate(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!ls_napi_args(env, info, 4, argv)) return NULL;
  int32_t fd, mode;
  int64_t off[2];
  bool ok1, ok2;
  if (!ls_napi_int32(env, argv[0], "fd", &fd) || !ls_napi_int32(env, argv[1], "mode", &mode) ||
      !ls_napi_offset(env, argv[2], "offset", &off[0], &ok1) ||
      !ls_napi_offset(env, argv[3], "length", &off[1], &ok2))
    return NULL;
  return result(env, ok1 && ok2 ? ls_fallocate(fd, mode, off[0], off[1]) : -EINVAL);
}

static napi_value js_punch_hole(napi_env env, napi_callback_info info) {
  int32_t fd;
  int64_t off[2];
  bool valid;
  if (!parse(env, info, &fd, off, NULL, &valid)) return NULL;
  return result(env, valid ? ls_punch_hole(fd, off[0], off[1]) : -EINVAL);
}

static napi_value js_reserve(napi_env env, napi_callback_info info) {
  int32_t fd;
  int64_t off[2];
  bool valid;
  if (!parse(env, info, &fd, off, NULL, &valid)) return NULL;
  return result(env, valid ? ls_reserve(fd, off[0], off[1]) : -EINVAL);
}

static napi_value js_fadvise(napi_env env, napi_callback_info info) {
  int32_t fd, advice;
  int64_t off[2];
  bool valid;
  if (!parse(env, info, &fd, off, &advice, &valid)) return NULL;
  return result(env, valid ? ls_fadvise(fd, off[0], off[1], advice) : -EINVAL);
}

/* openBeneath(dirfd, path): a read-only descriptor of path under dirfd, never through a symlink. */
static napi_value js_open_beneath(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t dirfd;
  char path[4097];
  size_t len = 0;
  if (!ls_napi_args(env, info, 2, argv) || !ls_napi_int32(env, argv[0], "dirfd", &dirfd)) return NULL;
  if (napi_get_value_string_utf8(env, argv[1], path, sizeof path, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "path must be a string");
    return NULL;
  }
  if (len >= sizeof path - 1) return result(env, -ENAMETOOLONG);
  /* Beneath the directory: strip the leading slashes of a path inside the mount. */
  const char *rel = path;
  while (*rel == '/') rel++;
  return result(env, ls_open_beneath(dirfd, *rel ? rel : "."));
}

static bool constant(napi_env env, napi_value obj, const char *name, int value) {
  return ls_napi_set_number(env, obj, name, value);
}

NAPI_MODULE_INIT() {
  napi_value c;
  if (!ls_napi_ok(env, napi_create_object(env, &c))) return NULL;
  if (!constant(env, c, "FALLOC_FL_KEEP_SIZE", FALLOC_FL_KEEP_SIZE) ||
      !constant(env, c, "FALLOC_FL_PUNCH_HOLE", FALLOC_FL_PUNCH_HOLE) ||
      !constant(env, c, "FALLOC_FL_ZERO_RANGE", FALLOC_FL_ZERO_RANGE) ||
      !constant(env, c, "FALLOC_FL_COLLAPSE_RANGE", FALLOC_FL_COLLAPSE_RANGE) ||
      !constant(env, c, "FALLOC_FL_INSERT_RANGE", FALLOC_FL_INSERT_RANGE) ||
      !constant(env, c, "POSIX_FADV_NORMAL", POSIX_FADV_NORMAL) ||
      !constant(env, c, "POSIX_FADV_RANDOM", POSIX_FADV_RANDOM) ||
      !constant(env, c, "POSIX_FADV_SEQUENTIAL", POSIX_FADV_SEQUENTIAL) ||
      !constant(env, c, "POSIX_FADV_WILLNEED", POSIX_FADV_WILLNEED) ||
      !constant(env, c, "POSIX_FADV_DONTNEED", POSIX_FADV_DONTNEED) ||
      !constant(env, c, "POSIX_FADV_NOREUSE", POSIX_FADV_NOREUSE) ||
      !ls_napi_set_value(env, exports, "constants", c) ||
      !ls_napi_export_function(env, exports, "fallocate", js_fallocate) ||
      !ls_napi_export_function(env, exports, "punchHole", js_punch_hole) ||
      !ls_napi_export_function(env, exports, "reserve", js_reserve) ||
      !ls_napi_export_function(env, exports, "fadvise", js_fadvise) ||
      !ls_napi_export_function(env, exports, "openBeneath", js_open_beneath))
    return NULL;
  return exports;
}
