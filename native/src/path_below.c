#include "path_below.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

char *ls_path_below(const char *root, size_t root_len, int fd) {
  char *link = fd_link(fd);
  if (!link) return NULL;
  if (root_len == 0) return link; /* the directory is "/" */
  if (strncmp(link, root, root_len) == 0 && (link[root_len] == '/' || link[root_len] == 0)) {
    if (link[root_len] == 0) {
      link[0] = '/';
      link[1] = 0;
    } else {
      memmove(link, link + root_len, strlen(link + root_len) + 1);
    }
  }
  /* anything else (a file of another mount inside the directory) is kept as the kernel shows
   * it: still unique, and better than nothing. Queued events keep it: only its own length, not
   * PATH_MAX (a full queue of 4 KiB buffers would be hundreds of MiB). */
  char *fit = realloc(link, strlen(link) + 1);
  return fit ? fit : link;
}
