/* Small N-API helpers shared by both addons. They return false with a JavaScript exception
 * pending, so a caller only has to return NULL. */
#ifndef LOGSHADOW_NAPI_UTIL_H
#define LOGSHADOW_NAPI_UTIL_H

#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool ls_napi_ok(napi_env env, napi_status status);
bool ls_napi_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv);
bool ls_napi_int32(napi_env env, napi_value v, const char *what, int32_t *out);
/* A byte offset or length: a number or a bigint. *valid is false (no exception) for a value of
 * the right type that is negative, fractional or beyond 2^63. */
bool ls_napi_offset(napi_env env, napi_value v, const char *what, int64_t *out, bool *valid);

/* Optional properties of an options object: *present tells whether the caller gave one. */
bool ls_napi_prop(napi_env env, napi_value obj, const char *key, napi_value *out, bool *present);
bool ls_napi_prop_string(napi_env env, napi_value obj, const char *key, char *buf, size_t len,
                         bool *present);
bool ls_napi_prop_uint32(napi_env env, napi_value obj, const char *key, uint32_t *out, bool *present);
bool ls_napi_prop_uint64(napi_env env, napi_value obj, const char *key, uint64_t *out, bool *present);
bool ls_napi_prop_bool(napi_env env, napi_value obj, const char *key, bool *out, bool *present);

bool ls_napi_set_number(napi_env env, napi_value obj, const char *key, double value);
bool ls_napi_set_string(napi_env env, napi_value obj, const char *key, const char *value);
bool ls_napi_set_bool(napi_env env, napi_value obj, const char *key, bool value);
bool ls_napi_set_value(napi_env env, napi_value obj, const char *key, napi_value value);
bool ls_napi_export_function(napi_env env, napi_value exports, const char *name, napi_callback cb);

#endif
