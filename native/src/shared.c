#include "shared.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ring.h"
#include <stdbool.h>

#define PAGE 4096u

static size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

int ls_shared_create(struct ls_shared *s, size_t counters_bytes, uint32_t ring_capacity) {
  memset(s, 0, sizeof(*s));
  s->fd = -1;
  if (ring_capacity == 0 || (ring_capacity & (ring_capacity - 1)) != 0 || ring_capacity > LS_RING_MAX_CAPACITY)
    return -EINVAL;
  size_t counters_offset = round_up(sizeof(struct ls_shared_header), 64);
  /* the ring on its own pages: the producers' hot line never shares a page with the counters */
  size_t ring_offset = round_up(counters_offset + counters_bytes, PAGE);
  size_t ring_bytes = LS_RING_HEADER_BYTES + (size_t)ring_capacity * LS_RING_SLOT_BYTES;
  size_t total = round_up(ring_offset + ring_bytes, PAGE);
  int fd = memfd_create("logshadow-shared", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return -errno;
  /* sealed before anyone else sees it: a client cannot shrink it under the engine (SIGBUS) */
  if (ftruncate(fd, (off_t)total) != 0 ||
      fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
    int r = -errno;
    close(fd);
    return r;
  }
  void *mem = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (mem == MAP_FAILED) {
    int r = -errno;
    close(fd);
    return r;
  }
  s->fd = fd;
  s->mem = mem;
  s->bytes = total;
  s->hdr = mem;
  *s->hdr = (struct ls_shared_header){
      .magic = LS_SHARED_MAGIC,
      .version = LS_SHARED_VERSION,
      .counters_bytes = (uint32_t)counters_bytes,
      .counters_offset = counters_offset,
      .ring_offset = ring_offset,
      .ring_bytes = ring_bytes,
      .total_bytes = total,
  };
  return 0;
}

int ls_shared_map(struct ls_shared *s, int fd, size_t counters_bytes) {
  memset(s, 0, sizeof(*s));
  s->fd = -1;
  struct stat st;
  if (fstat(fd, &st) != 0) return -errno;
  if ((size_t)st.st_size < sizeof(struct ls_shared_header)) return -EPROTO;
  int seals = fcntl(fd, F_GET_SEALS);
  if (seals < 0 || !(seals & F_SEAL_SHRINK)) return -EPROTO; /* could shrink under us */
  void *mem = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (mem == MAP_FAILED) return -errno;
  struct ls_shared_header *h = mem;
  bool ok = h->magic == LS_SHARED_MAGIC && h->version == LS_SHARED_VERSION &&
            h->counters_bytes == counters_bytes && h->total_bytes == (uint64_t)st.st_size &&
            h->counters_offset + counters_bytes <= h->ring_offset &&
            h->ring_offset + h->ring_bytes <= h->total_bytes;
  if (!ok) {
    munmap(mem, (size_t)st.st_size);
    return -EPROTO;
  }
  s->fd = fd;
  s->mem = mem;
  s->bytes = (size_t)st.st_size;
  s->hdr = h;
  return 0;
}

void ls_shared_unmap(struct ls_shared *s) {
  if (s->mem) munmap(s->mem, s->bytes);
  if (s->fd >= 0) close(s->fd);
  memset(s, 0, sizeof(*s));
  s->fd = -1;
}
