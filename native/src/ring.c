#include "ring.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int ls_ring_init(struct ls_ring *r, uint32_t capacity) {
  memset(r, 0, sizeof(*r));
  if (capacity == 0 || (capacity & (capacity - 1)) != 0 || capacity > LS_RING_MAX_CAPACITY)
    return -EINVAL;
  size_t bytes = LS_RING_HEADER_BYTES + (size_t)capacity * LS_RING_SLOT_BYTES;
  void *mem = NULL;
  /* a cache line, so that the header never shares one with anything else of ours */
  if (posix_memalign(&mem, 64, bytes) != 0) return -ENOMEM;
  memset(mem, 0, bytes);
  r->mem = mem;
  r->bytes = bytes;
  r->mask = capacity - 1;
  r->hdr = mem;
  r->slots = (struct ls_ring_slot *)((char *)mem + LS_RING_HEADER_BYTES);
  r->hdr->capacity = capacity;
  r->hdr->version = LS_RING_LAYOUT_VERSION;
  for (uint32_t i = 0; i < capacity; i++) atomic_init(&r->slots[i].seq, i);
  return 0;
}

void ls_ring_free(struct ls_ring *r) {
  free(r->mem);
  memset(r, 0, sizeof(*r));
}
