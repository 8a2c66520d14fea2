/* Shared between the tier modules; nothing outside native/src/tier/ includes it. */
#ifndef LOGSHADOW_TIER_INTERNAL_H
#define LOGSHADOW_TIER_INTERNAL_H

#include "tier.h"

/* RAM is given back in whole pages: a partly synced page stays until the next sync. */
#define LS_TIER_PAGE 4096u
/* Inodes remembered for the next round's fsync; past this the round calls syncfs. */
#define LS_TIER_MAX_META 4096u

/* With the table's lock held. */
struct ls_tier *ls_tier_find_locked(struct ls_tiers *ts, dev_t dev, ino_t ino);
void ls_tier_dirty_link(struct ls_tiers *ts, struct ls_tier *t, double now_ms);
void ls_tier_dirty_unlink(struct ls_tier *t);

/* The RAM copy's name for the file behind fd: its handle in hex; -errno without one. */
int ls_tier_handle_name(int fd, char out[LS_TIER_NAME_MAX]);
/* The RAM directory's free space, in thousandths of its size. */
uint64_t ls_tier_ram_free_permille(struct ls_tiers *ts);

/* sync.c */
int ls_tier_sync_start(struct ls_tiers *ts, char *err, size_t errlen);

#endif
