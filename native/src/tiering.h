/*
 * The engine's side of a tiered mount (tier/tier.h): which files the tiers serve, and the hooks
 * the operations call. Every regular file is tiered except those matching the mount's direct
 * patterns (journald's journals, wtmp/btmp/lastlog: written through shared mmap or rewritten in
 * place), which are served straight from the disk side through the page cache, so that shared
 * mappings work on them.
 */
#ifndef LOGSHADOW_TIERING_H
#define LOGSHADOW_TIERING_H

#include <stdbool.h>
#include <sys/stat.h>

struct ls_engine;
struct ls_node;

/* Whether the regular file at `path` (from the mount root, "/..."; NULL: unknown) goes through
 * the tiers. */
bool ls_tiering_wants(const struct ls_engine *e, const char *path);
/* The flags a tiered file's handle descriptor is opened with: appends and truncation go through
 * the tier, never straight to the disk copy. */
int ls_tiering_handle_flags(int flags);
/* A file served from the disk side was written: its fsync goes with the next sync round. */
void ls_tiering_direct_written(struct ls_engine *e, struct ls_node *n);
/* Names or metadata of `n` changed (a directory gained or lost an entry, a chmod...): they are
 * made durable with the next round. */
void ls_tiering_changed(struct ls_engine *e, struct ls_node *n);

/*
 * A tiered file's attributes are its disk copy's with its own size and the times of its latest
 * write (ls_tier_stat). Every reply that carries attributes goes through here (getattr,
 * setattr, and every entry: lookup, create, link...): an entry with the disk copy's size would
 * make the kernel cut its own idea of the file to that size. `open_node`: a node with a handle
 * open (its tier is then in place), or NULL to look the tier up.
 */
void ls_tiering_stat(struct ls_engine *e, struct ls_node *open_node, struct stat *st);

/* Splits a newline-separated list of patterns; NULL-terminated, NULL without memory. */
char **ls_tiering_parse_patterns(const char *text);
void ls_tiering_free_patterns(char **patterns);

#endif
