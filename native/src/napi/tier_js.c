/* The tiers' figures as JavaScript sees them, for both ways of reaching tiers: in process
 * (tier_addon.c) and over the link from the engine process (engine_addon.c). */
#include "tier_js.h"

#include <string.h>

#include "util.h"

bool ls_napi_tier_totals(napi_env env, const struct ls_tier_totals *t, napi_value *out) {
  napi_value o, syncs;
  if (!ls_napi_ok(env, napi_create_object(env, &o)) || !ls_napi_ok(env, napi_create_object(env, &syncs))) return false;
  for (int i = 0; i < LS_SYNC_TRIGGER_COUNT; i++)
    if (!ls_napi_set_number(env, syncs, ls_sync_trigger_names[i], (double)t->syncs[i])) return false;
  const char *err = t->last_error ? strerrorname_np(t->last_error) : NULL;
  napi_value last_error;
  if (!ls_napi_ok(env, err ? napi_create_string_utf8(env, err, NAPI_AUTO_LENGTH, &last_error) : napi_get_null(env, &last_error)))
    return false;
  bool ok = ls_napi_set_value(env, o, "syncs", syncs) && ls_napi_set_value(env, o, "lastError", last_error) &&
            ls_napi_set_number(env, o, "unsyncedBytes", (double)t->unsynced_bytes) &&
            ls_napi_set_number(env, o, "files", (double)t->files) &&
            ls_napi_set_number(env, o, "dirtyFiles", (double)t->dirty_files) &&
            ls_napi_set_number(env, o, "oldestUnsyncedMs", t->oldest_unsynced_ms) &&
            ls_napi_set_number(env, o, "rounds", (double)t->sync_rounds) &&
            ls_napi_set_number(env, o, "filesSynced", (double)t->files_synced) &&
            ls_napi_set_number(env, o, "bytesSynced", (double)t->bytes_synced) &&
            ls_napi_set_number(env, o, "diskBytesWritten", (double)(t->disk_bytes_written + t->write_through_bytes)) &&
            ls_napi_set_number(env, o, "writeThroughBytes", (double)t->write_through_bytes) &&
            ls_napi_set_number(env, o, "syncErrors", (double)t->sync_errors) &&
            ls_napi_set_bool(env, o, "healthy", t->healthy) &&
            ls_napi_set_number(env, o, "lastSyncAtMs", t->last_sync_wall_ms) &&
            ls_napi_set_number(env, o, "lastSyncDurationMs", t->last_sync_duration_ms) &&
            ls_napi_set_number(env, o, "syncMs", t->sync_ms) &&
            ls_napi_set_number(env, o, "lastSyncBytes", (double)t->last_sync_bytes) &&
            ls_napi_set_number(env, o, "recoveredFiles", (double)t->recovered_files) &&
            ls_napi_set_number(env, o, "recoveredBytes", (double)t->recovered_bytes) &&
            ls_napi_set_number(env, o, "unadoptedFiles", (double)t->unadopted) &&
            ls_napi_set_number(env, o, "throttledWrites", (double)t->throttled_writes) &&
            ls_napi_set_number(env, o, "throttledNow", (double)t->throttled_now) &&
            ls_napi_set_number(env, o, "throttledMs", t->throttled_ms) &&
            ls_napi_set_number(env, o, "reservedDiskBytes", (double)t->reserved_disk_bytes) &&
            ls_napi_set_number(env, o, "ramCopiesDropped", (double)t->ram_copies_dropped);
  *out = o;
  return ok;
}

bool ls_napi_sync_trigger(napi_env env, napi_value v, enum ls_sync_trigger *out) {
  char name[32];
  size_t len;
  if (!ls_napi_ok(env, napi_get_value_string_utf8(env, v, name, sizeof(name), &len))) return false;
  for (int i = 0; i < LS_SYNC_TRIGGER_COUNT; i++)
    if (strcmp(name, ls_sync_trigger_names[i]) == 0) {
      *out = (enum ls_sync_trigger)i;
      return true;
    }
  napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "unknown sync trigger");
  return false;
}

bool ls_napi_file_identity(napi_env env, napi_value vdev, napi_value vino, bool *all, uint64_t *dev, uint64_t *ino) {
  double d, i;
  if (!ls_napi_ok(env, napi_get_value_double(env, vdev, &d)) || !ls_napi_ok(env, napi_get_value_double(env, vino, &i)))
    return false;
  *all = d < 0;
  if (*all) return true;
  if (!(i >= 0 && d < 18446744073709551616.0 && i < 18446744073709551616.0)) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "not a file identity");
    return false;
  }
  *dev = (uint64_t)d;
  *ino = (uint64_t)i;
  return true;
}
