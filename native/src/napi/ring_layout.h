#ifndef LOGSHADOW_NAPI_RING_LAYOUT_H
#define LOGSHADOW_NAPI_RING_LAYOUT_H

#include "util.h"

/* exports.ringLayout: { version, headerBytes, slotBytes, header: {field: byte offset}, slot: {...} } */
bool ls_napi_export_ring_layout(napi_env env, napi_value exports);

#endif
