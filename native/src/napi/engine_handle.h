/* The engine's JavaScript handle, shared by the modules of the engine addon. */
#ifndef LOGSHADOW_NAPI_ENGINE_HANDLE_H
#define LOGSHADOW_NAPI_ENGINE_HANDLE_H

#include <node_api.h>
#include <stdbool.h>

struct ls_engine;

/* The engine behind a handle returned by mount(); false with a TypeError pending otherwise. */
bool ls_napi_engine_of(napi_env env, napi_value handle, struct ls_engine **out);

#endif
