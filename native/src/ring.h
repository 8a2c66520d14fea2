/*
 * The write-event ring. This header is where its layout is defined: the addon exports it as
 * built (napi/ring_layout.c) and the JavaScript reader (src/ring/layout.ts) checks it at load.
 *
 * Producers are the FUSE worker threads of the engine process (one record per successful write);
 * the consumer is the daemon's JavaScript drain, which maps the same memory (shared.h) and sees
 * it through an external ArrayBuffer. The producer side
 * is Vyukov's bounded MPMC queue reduced to what we need: claim a position with a CAS on head,
 * fill the slot, publish with a release store of seq. A producer never waits and never allocates:
 * when the slot is still owned by the consumer the record is dropped and counted.
 */
#ifndef LOGSHADOW_RING_H
#define LOGSHADOW_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LS_RING_LAYOUT_VERSION 1u
#define LS_RING_HEADER_BYTES 64u
#define LS_RING_SLOT_BYTES 32u
#define LS_RING_DEFAULT_CAPACITY (1u << 16)
/* Keeps signed 32-bit position differences meaningful. */
#define LS_RING_MAX_CAPACITY (1u << 24)

struct ls_ring_header {
  uint32_t capacity;
  uint32_t version;
  _Atomic uint32_t head;
  uint32_t tail; /* the consumer's; never read here */
  _Atomic uint32_t dropped;
  uint32_t reserved[11];
};

struct ls_ring_slot {
  _Atomic uint32_t seq;
  uint32_t handle;
  double time_ms;
  double offset;
  uint32_t length;
  uint32_t pid;
};

_Static_assert(sizeof(struct ls_ring_header) == LS_RING_HEADER_BYTES, "ring header size");
_Static_assert(sizeof(struct ls_ring_slot) == LS_RING_SLOT_BYTES, "ring slot size");
_Static_assert(offsetof(struct ls_ring_header, head) == 2 * 4, "H_HEAD");
_Static_assert(offsetof(struct ls_ring_header, tail) == 3 * 4, "H_TAIL");
_Static_assert(offsetof(struct ls_ring_header, dropped) == 4 * 4, "H_DROPPED");
_Static_assert(offsetof(struct ls_ring_slot, handle) == 1 * 4, "S_HANDLE");
_Static_assert(offsetof(struct ls_ring_slot, time_ms) == 1 * 8, "F_TIME");
_Static_assert(offsetof(struct ls_ring_slot, offset) == 2 * 8, "F_OFFSET");
_Static_assert(offsetof(struct ls_ring_slot, length) == 6 * 4, "S_LENGTH");
_Static_assert(offsetof(struct ls_ring_slot, pid) == 7 * 4, "S_PID");
_Static_assert(sizeof(_Atomic uint32_t) == sizeof(uint32_t), "atomics must not change the layout");

struct ls_ring {
  void *mem; /* header followed by the slots, in the shared region (shared.h) */
  size_t bytes;
  uint32_t mask;
  struct ls_ring_header *hdr;
  struct ls_ring_slot *slots;
};

/* Lays a new ring out in `mem` (the engine's side): 0, or -EINVAL unless capacity is a power of
 * two within LS_RING_MAX_CAPACITY. The memory is not the ring's: it belongs to the region. */
int ls_ring_init_at(struct ls_ring *r, void *mem, uint32_t capacity);
/* Points at a ring laid out by the engine in `bytes` of mapped memory (the daemon's side): 0, or
 * -EPROTO when its header does not hold together. */
int ls_ring_open_at(struct ls_ring *r, void *mem, size_t bytes);

static inline bool ls_ring_push(struct ls_ring *r, uint32_t handle, double time_ms, double offset,
                                uint32_t length, uint32_t pid) {
  uint32_t pos = atomic_load_explicit(&r->hdr->head, memory_order_relaxed);
  struct ls_ring_slot *slot;
  for (;;) {
    slot = &r->slots[pos & r->mask];
    uint32_t seq = atomic_load_explicit(&slot->seq, memory_order_acquire);
    int32_t dif = (int32_t)(seq - pos);
    if (dif == 0) {
      if (atomic_compare_exchange_weak_explicit(&r->hdr->head, &pos, pos + 1, memory_order_relaxed,
                                                memory_order_relaxed))
        break;
      /* lost the race: pos now holds the current head */
    } else if (dif < 0) {
      /* the slot still holds the record from one lap ago: the consumer is behind */
      atomic_fetch_add_explicit(&r->hdr->dropped, 1, memory_order_relaxed);
      return false;
    } else {
      pos = atomic_load_explicit(&r->hdr->head, memory_order_relaxed);
    }
  }
  slot->handle = handle;
  slot->time_ms = time_ms;
  slot->offset = offset;
  slot->length = length;
  slot->pid = pid;
  atomic_store_explicit(&slot->seq, pos + 1, memory_order_release);
  return true;
}

#endif
