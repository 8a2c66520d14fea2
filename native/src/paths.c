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

static char *fd_link(int fd) {
  char proc[40];
  snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
  char *buf = malloc(PATH_MAX + 1);
  if (!buf) return NULL;
  ssize_t n = readlink(proc, buf, PATH_MAX);
  if (n < 0) n = 0;
  buf[n] = 0;
  return buf;
}

char *ls_path_of_fd(struct ls_engine *e, int fd) {
  char *link = fd_link(fd);
  if (!link) return NULL;
  size_t plen = e->root_prefix_len;
  if (plen == 0) return link; /* the backing directory is "/" */
  if (strncmp(link, e->root_prefix, plen) == 0 && (link[plen] == '/' || link[plen] == 0)) {
    if (link[plen] == 0) {
      link[0] = '/';
      link[1] = 0;
    } else {
      memmove(link, link + plen, strlen(link + plen) + 1);
    }
  }
  /* anything else (a file of another mount inside the backing directory) is kept as the kernel
   * shows it: still unique, and better than nothing */
  /* Queued events keep it: only its own length, not PATH_MAX (a full queue of 4 KiB buffers
   * would be hundreds of MiB). */
  char *fit = realloc(link, strlen(link) + 1);
  return fit ? fit : link;
}

char *ls_path_join(struct ls_engine *e, struct ls_node *parent, const char *name) {
  char *dir = parent == &e->nodes.root ? NULL : ls_path_of_fd(e, parent->fd);
  const char *d = dir && strcmp(dir, "/") != 0 ? dir : "";
  size_t len = strlen(d) + 1 + strlen(name) + 1;
  char *path = malloc(len);
  if (path) snprintf(path, len, "%s/%s", d, name);
  free(dir);
  return path;
}
