#include "tiering.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

bool ls_tiering_wants(const struct ls_engine *e, const char *path) {
  if (!e->tiers) return false;
  if (!path || !e->direct_patterns) return true;
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  for (char **p = e->direct_patterns; *p; p++) {
    bool whole = strchr(*p, '/') != NULL;
    /* "journal/" style patterns match a directory anywhere on the path */
    if (whole ? fnmatch(*p, path, 0) == 0 : fnmatch(*p, base, 0) == 0) return false;
  }
  return true;
}

int ls_tiering_handle_flags(int flags) { return flags & ~(O_APPEND | O_TRUNC); }

void ls_tiering_direct_written(struct ls_engine *e, struct ls_node *n) {
  /* once per sync round and file, not per write */
  uint64_t round = atomic_load_explicit(&e->tiers->rounds, memory_order_relaxed) + 1;
  if (atomic_exchange_explicit(&n->direct_round, round, memory_order_relaxed) != round)
    ls_tiers_meta_dirty(e->tiers, n->fd);
}

void ls_tiering_changed(struct ls_engine *e, struct ls_node *n) {
  if (e->tiers && !n->let_go) ls_tiers_meta_dirty(e->tiers, n->fd);
}

void ls_tiering_stat(struct ls_engine *e, struct ls_node *open_node, struct stat *st) {
  if (!e->tiers || !S_ISREG(st->st_mode)) return;
  if (open_node && open_node->tier) {
    ls_tier_stat(open_node->tier, st);
    return;
  }
  struct ls_tier *t = ls_tier_find(e->tiers, st->st_dev, st->st_ino);
  if (!t) return;
  ls_tier_stat(t, st);
  ls_tier_put(e->tiers, t);
}

char **ls_tiering_parse_patterns(const char *text) {
  size_t n = 1;
  for (const char *c = text; *c; c++) n += *c == '\n';
  char **out = calloc(n + 1, sizeof(*out));
  if (!out) return NULL;
  size_t k = 0;
  for (const char *start = text; *start;) {
    const char *end = strchr(start, '\n');
    size_t len = end ? (size_t)(end - start) : strlen(start);
    if (len) {
      out[k] = strndup(start, len);
      if (!out[k]) {
        ls_tiering_free_patterns(out);
        return NULL;
      }
      k++;
    }
    start += len + (end ? 1 : 0);
  }
  return out;
}

void ls_tiering_free_patterns(char **patterns) {
  if (!patterns) return;
  for (char **p = patterns; *p; p++) free(*p);
  free(patterns);
}
