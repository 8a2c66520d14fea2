#include "catchup.h"

#include <sys/stat.h>

#include "engine.h"

void ls_before_truncate(struct ls_engine *e, int fd, off_t size) {
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= size) return;
  if (ls_nodes_told(&e->nodes, st.st_dev, st.st_ino)) ls_gone_ask(e, st.st_dev, st.st_ino);
}
