#ifndef LOGSHADOW_NAPI_TIER_JS_H
#define LOGSHADOW_NAPI_TIER_JS_H

#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>

#include "../tier/tier.h"

/* The totals as an object (TierTotals in src/engine/tiers.ts). */
bool ls_napi_tier_totals(napi_env env, const struct ls_tier_totals *t, napi_value *out);
/* A trigger's name (SyncTrigger) as the enum. */
bool ls_napi_sync_trigger(napi_env env, napi_value v, enum ls_sync_trigger *out);
/* (dev, ino) from JavaScript numbers; a negative dev means every file (*all). */
bool ls_napi_file_identity(napi_env env, napi_value vdev, napi_value vino, bool *all, uint64_t *dev, uint64_t *ino);

#endif
