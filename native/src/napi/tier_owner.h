/*
 * The tier functions shared by two addons (tier_addon.c): the native engine's, whose tiers live
 * in its engine, and logshadow_tiers, whose tiers stand alone (the fuse-native engine's and
 * `logshadow recover`'s). Each addon says how a handle of its own reaches its tiers.
 */
#ifndef LOGSHADOW_NAPI_TIER_OWNER_H
#define LOGSHADOW_NAPI_TIER_OWNER_H

#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>

struct ls_tiers;

struct ls_tier_owner {
  struct ls_tiers *ts;
  const char *root; /* the disk directory's path as /proc shows it: names files in stats */
  size_t root_len;
  void *self;
  void (*ref)(void *self); /* kept alive across an asynchronous sync */
  void (*unref)(void *self);
};

/* Defined by each addon: the tiers behind one of its handles, or false with an error pending. */
bool ls_napi_tier_owner(napi_env env, napi_value handle, struct ls_tier_owner *out);
/* tier_addon.c: syncNow, requestSync, reserveHint, tierStats. */
bool ls_napi_export_tier_functions(napi_env env, napi_value exports);

#endif
