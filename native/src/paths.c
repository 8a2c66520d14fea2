/*
 * Paths appear only in file events, which are rare, so they are derived when needed from the
 * kernel's own view of a descriptor (/proc/self/fd/N) rather than kept in a tree that every
 * rename would have to update. The backing directory was shadowed in place, so the kernel shows
 * its files under the backing directory's path; the part below it is the path in the mount.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "path_below.h"

char *ls_path_of_fd(struct ls_engine *e, int fd) { return ls_path_below(e->root_prefix, e->root_prefix_len, fd); }

char *ls_path_join(struct ls_engine *e, struct ls_node *parent, const char *name) {
  char *dir = parent == &e->nodes.root ? NULL : ls_path_of_fd(e, parent->fd);
  const char *d = dir && strcmp(dir, "/") != 0 ? dir : "";
  size_t len = strlen(d) + 1 + strlen(name) + 1;
  char *path = malloc(len);
  if (path) snprintf(path, len, "%s/%s", d, name);
  free(dir);
  return path;
}
