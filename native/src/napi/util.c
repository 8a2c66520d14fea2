#include "util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

bool ls_napi_ok(napi_env env, napi_status status) {
  if (status == napi_ok) return true;
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) {
    const napi_extended_error_info *info = NULL;
    napi_get_last_error_info(env, &info);
    napi_throw_error(env, NULL, info && info->error_message ? info->error_message : "N-API call failed");
  }
  return false;
}

bool ls_napi_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (!ls_napi_ok(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL))) return false;
  napi_value undef;
  napi_get_undefined(env, &undef);
  for (size_t i = argc; i < want; i++) argv[i] = undef;
  return true;
}

static bool type_error(napi_env env, const char *what, const char *expected) {
  char msg[160];
  snprintf(msg, sizeof(msg), "%s must be %s", what, expected);
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
  return false;
}

bool ls_napi_int32(napi_env env, napi_value v, const char *what, int32_t *out) {
  napi_valuetype t;
  if (!ls_napi_ok(env, napi_typeof(env, v, &t))) return false;
  if (t != napi_number) return type_error(env, what, "a number");
  return ls_napi_ok(env, napi_get_value_int32(env, v, out));
}

bool ls_napi_offset(napi_env env, napi_value v, const char *what, int64_t *out, bool *valid) {
  napi_valuetype t;
  *valid = false;
  if (!ls_napi_ok(env, napi_typeof(env, v, &t))) return false;
  if (t == napi_number) {
    double d;
    if (!ls_napi_ok(env, napi_get_value_double(env, v, &d))) return false;
    if (isfinite(d) && d >= 0 && d <= 9007199254740992.0 && floor(d) == d) {
      *out = (int64_t)d;
      *valid = true;
    }
    return true;
  }
  if (t == napi_bigint) {
    int64_t x;
    bool lossless;
    if (!ls_napi_ok(env, napi_get_value_bigint_int64(env, v, &x, &lossless))) return false;
    if (lossless && x >= 0) {
      *out = x;
      *valid = true;
    }
    return true;
  }
  return type_error(env, what, "a number or a bigint");
}

bool ls_napi_prop(napi_env env, napi_value obj, const char *key, napi_value *out, bool *present) {
  if (!ls_napi_ok(env, napi_get_named_property(env, obj, key, out))) return false;
  napi_valuetype t;
  if (!ls_napi_ok(env, napi_typeof(env, *out, &t))) return false;
  *present = t != napi_undefined && t != napi_null;
  return true;
}

bool ls_napi_prop_string(napi_env env, napi_value obj, const char *key, char *buf, size_t len,
                         bool *present) {
  napi_value v;
  if (!ls_napi_prop(env, obj, key, &v, present)) return false;
  if (!*present) return true;
  napi_valuetype t;
  if (!ls_napi_ok(env, napi_typeof(env, v, &t))) return false;
  if (t != napi_string) return type_error(env, key, "a string");
  size_t n;
  if (!ls_napi_ok(env, napi_get_value_string_utf8(env, v, NULL, 0, &n))) return false;
  if (n + 1 > len) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "option string too long");
    return false;
  }
  return ls_napi_ok(env, napi_get_value_string_utf8(env, v, buf, len, &n));
}

bool ls_napi_prop_uint32(napi_env env, napi_value obj, const char *key, uint32_t *out, bool *present) {
  napi_value v;
  if (!ls_napi_prop(env, obj, key, &v, present)) return false;
  if (!*present) return true;
  napi_valuetype t;
  if (!ls_napi_ok(env, napi_typeof(env, v, &t))) return false;
  if (t != napi_number) return type_error(env, key, "a number");
  double d;
  if (!ls_napi_ok(env, napi_get_value_double(env, v, &d))) return false;
  if (!(d >= 0 && d <= 4294967295.0 && floor(d) == d)) {
    char msg[160];
    snprintf(msg, sizeof(msg), "%s must be an integer from 0 to 2^32-1", key);
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
    return false;
  }
  *out = (uint32_t)d;
  return true;
}

bool ls_napi_prop_uint64(napi_env env, napi_value obj, const char *key, uint64_t *out, bool *present) {
  napi_value v;
  if (!ls_napi_prop(env, obj, key, &v, present)) return false;
  if (!*present) return true;
  napi_valuetype t;
  if (!ls_napi_ok(env, napi_typeof(env, v, &t))) return false;
  if (t != napi_number) return type_error(env, key, "a number");
  double d;
  if (!ls_napi_ok(env, napi_get_value_double(env, v, &d))) return false;
  if (!(d >= 0 && d <= 9007199254740991.0 && floor(d) == d)) {
    char msg[160];
    snprintf(msg, sizeof(msg), "%s must be an integer from 0 to 2^53-1", key);
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
    return false;
  }
  *out = (uint64_t)d;
  return true;
}

bool ls_napi_prop_bool(napi_env env, napi_value obj, const char *key, bool *out, bool *present) {
  napi_value v;
  if (!ls_napi_prop(env, obj, key, &v, present)) return false;
  if (!*present) return true;
  napi_valuetype t;
  if (!ls_napi_ok(env, napi_typeof(env, v, &t))) return false;
  if (t != napi_boolean) return type_error(env, key, "a boolean");
  return ls_napi_ok(env, napi_get_value_bool(env, v, out));
}

bool ls_napi_set_value(napi_env env, napi_value obj, const char *key, napi_value value) {
  return ls_napi_ok(env, napi_set_named_property(env, obj, key, value));
}

bool ls_napi_set_number(napi_env env, napi_value obj, const char *key, double value) {
  napi_value v;
  return ls_napi_ok(env, napi_create_double(env, value, &v)) && ls_napi_set_value(env, obj, key, v);
}

bool ls_napi_set_string(napi_env env, napi_value obj, const char *key, const char *value) {
  napi_value v;
  return ls_napi_ok(env, napi_create_string_utf8(env, value ? value : "", NAPI_AUTO_LENGTH, &v)) &&
         ls_napi_set_value(env, obj, key, v);
}

bool ls_napi_set_bool(napi_env env, napi_value obj, const char *key, bool value) {
  napi_value v;
  return ls_napi_ok(env, napi_get_boolean(env, value, &v)) && ls_napi_set_value(env, obj, key, v);
}

bool ls_napi_export_function(napi_env env, napi_value exports, const char *name, napi_callback cb) {
  napi_value fn;
  return ls_napi_ok(env, napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &fn)) &&
         ls_napi_set_value(env, exports, name, fn);
}
