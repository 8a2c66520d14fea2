#include "mountinfo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
  long id;
  long parent;
  char dev[32];
  char fstype[64];
};

/* mountinfo escapes space, tab, newline and backslash as \ooo */
static void unescape(char *s) {
  char *w = s;
  for (char *r = s; *r; r++) {
    if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
        r[3] <= '7') {
      *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
      r += 3;
    } else {
      *w++ = *r;
    }
  }
  *w = 0;
}

static void copy(char *dst, size_t len, const char *src) {
  if (!len) return;
  snprintf(dst, len, "%s", src);
}

int ls_mountinfo_top(const char *path, char *dev, size_t devlen, char *fstype, size_t fslen) {
  FILE *f = fopen("/proc/self/mountinfo", "re");
  if (!f) return -errno;
  struct entry *found = NULL;
  size_t nfound = 0, cap = 0;
  char *line = NULL;
  size_t linecap = 0;
  int err = 0;
  while (getline(&line, &linecap, f) > 0) {
    char *save = NULL;
    char *fields[6] = {0};
    int n = 0;
    char *tok;
    while (n < 6 && (tok = strtok_r(n ? NULL : line, " \n", &save))) fields[n++] = tok;
    if (n < 6) continue;
    unescape(fields[4]);
    if (strcmp(fields[4], path) != 0) continue;
    /* the optional fields end with "-", then come fstype and source */
    char *type = NULL;
    while ((tok = strtok_r(NULL, " \n", &save)))
      if (strcmp(tok, "-") == 0) {
        type = strtok_r(NULL, " \n", &save);
        break;
      }
    if (!type) continue;
    if (nfound == cap) {
      size_t next = cap ? cap * 2 : 4;
      struct entry *grown = realloc(found, next * sizeof(*grown));
      if (!grown) {
        err = -ENOMEM;
        break;
      }
      found = grown;
      cap = next;
    }
    struct entry *e = &found[nfound++];
    e->id = strtol(fields[0], NULL, 10);
    e->parent = strtol(fields[1], NULL, 10);
    copy(e->dev, sizeof(e->dev), fields[2]);
    copy(e->fstype, sizeof(e->fstype), type);
  }
  free(line);
  fclose(f);
  if (err) {
    free(found);
    return err;
  }
  /* the topmost is the one no other mount at the same path sits on */
  struct entry *top = NULL;
  for (size_t i = 0; i < nfound; i++) {
    int covered = 0;
    for (size_t j = 0; j < nfound; j++)
      if (found[j].parent == found[i].id) covered = 1;
    if (!covered) top = &found[i];
  }
  if (top) {
    copy(dev, devlen, top->dev);
    copy(fstype, fslen, top->fstype);
  }
  free(found);
  return top ? 0 : -ENOENT;
}
