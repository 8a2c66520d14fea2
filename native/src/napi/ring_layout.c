/*
 * The write ring's layout as this build of the engine lays it out (ring.h), exported as
 * `ringLayout` so that the JavaScript side checks it against its own reading of the memory
 * (src/ring/layout.ts) when it loads the addon: a mismatch makes the engine unavailable with a
 * reason, never a ring read with the wrong offsets.
 */
#include "ring_layout.h"

#include <stddef.h>

#include "../ring.h"

static bool set_offsets(napi_env env, napi_value obj, const char *key, const char *const *names,
                        const size_t *offsets, size_t n) {
  napi_value o;
  if (!ls_napi_ok(env, napi_create_object(env, &o))) return false;
  for (size_t i = 0; i < n; i++)
    if (!ls_napi_set_number(env, o, names[i], (double)offsets[i])) return false;
  return ls_napi_set_value(env, obj, key, o);
}

bool ls_napi_export_ring_layout(napi_env env, napi_value exports) {
  static const char *const header_names[] = {"capacity", "version", "head", "tail", "dropped"};
  static const size_t header[] = {
      offsetof(struct ls_ring_header, capacity), offsetof(struct ls_ring_header, version),
      offsetof(struct ls_ring_header, head),     offsetof(struct ls_ring_header, tail),
      offsetof(struct ls_ring_header, dropped),
  };
  static const char *const slot_names[] = {"seq", "handle", "timeMs", "offset", "length", "pid"};
  static const size_t slot[] = {
      offsetof(struct ls_ring_slot, seq),    offsetof(struct ls_ring_slot, handle),
      offsetof(struct ls_ring_slot, time_ms), offsetof(struct ls_ring_slot, offset),
      offsetof(struct ls_ring_slot, length), offsetof(struct ls_ring_slot, pid),
  };
  napi_value layout;
  return ls_napi_ok(env, napi_create_object(env, &layout)) &&
         ls_napi_set_number(env, layout, "version", LS_RING_LAYOUT_VERSION) &&
         ls_napi_set_number(env, layout, "headerBytes", sizeof(struct ls_ring_header)) &&
         ls_napi_set_number(env, layout, "slotBytes", sizeof(struct ls_ring_slot)) &&
         set_offsets(env, layout, "header", header_names, header, 5) &&
         set_offsets(env, layout, "slot", slot_names, slot, 6) &&
         ls_napi_set_value(env, exports, "ringLayout", layout);
}
