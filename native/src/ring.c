#include "ring.h"

#include <errno.h>
#include <string.h>

static void point_at(struct ls_ring *r, void *mem, uint32_t capacity) {
  r->mem = mem;
  r->bytes = LS_RING_HEADER_BYTES + (size_t)capacity * LS_RING_SLOT_BYTES;
  r->mask = capacity - 1;
  r->hdr = mem;
  r->slots = (struct ls_ring_slot *)((char *)mem + LS_RING_HEADER_BYTES);
}

static bool capacity_ok(uint32_t capacity) {
  return capacity != 0 && (capacity & (capacity - 1)) == 0 && capacity <= LS_RING_MAX_CAPACITY;
}

int ls_ring_init_at(struct ls_ring *r, void *mem, uint32_t capacity) {
  memset(r, 0, sizeof(*r));
  if (!capacity_ok(capacity)) return -EINVAL;
  memset(mem, 0, LS_RING_HEADER_BYTES + (size_t)capacity * LS_RING_SLOT_BYTES);
  point_at(r, mem, capacity);
  r->hdr->capacity = capacity;
  r->hdr->version = LS_RING_LAYOUT_VERSION;
  for (uint32_t i = 0; i < capacity; i++) atomic_init(&r->slots[i].seq, i);
  return 0;
}

int ls_ring_open_at(struct ls_ring *r, void *mem, size_t bytes) {
  memset(r, 0, sizeof(*r));
  const struct ls_ring_header *h = mem;
  if (bytes < LS_RING_HEADER_BYTES || h->version != LS_RING_LAYOUT_VERSION || !capacity_ok(h->capacity) ||
      LS_RING_HEADER_BYTES + (size_t)h->capacity * LS_RING_SLOT_BYTES > bytes)
    return -EPROTO;
  point_at(r, mem, h->capacity);
  return 0;
}
