/* The triggers' names, apart from the tier core: the daemon's side of the link names them too
 * without carrying the core. */
#include "tier.h"

const char *const ls_sync_trigger_names[LS_SYNC_TRIGGER_COUNT] = {
    "interval", "size", "fullness", "severity", "forecast", "fsync", "request", "unmount",
};
