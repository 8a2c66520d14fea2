/*
 * The write ring's throughput, in records per second, with its consumer in the producers' own
 * process on private memory (how the engine ran inside the daemon) and in another process over
 * the engine's shared region (a sealed memfd, as the daemon attaches to logshadow-engine). The
 * producers push as fast as they can, like FUSE threads under a write storm; the consumer drains
 * without pause, as the JavaScript consumer does within a tick (same steps: check the slot's
 * sequence, read the record, hand the slot to the next lap, store the tail once per batch).
 *
 *   native/bench/ring-throughput.sh [seconds] [producers]
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ring.h"
#include "shared.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct run {
  struct ls_ring ring;
  double until;
  _Atomic uint64_t pushed;
};

static void *produce(void *arg) {
  struct run *r = arg;
  uint64_t n = 0;
  while (now_s() < r->until) {
    for (int i = 0; i < 1024; i++) n += ls_ring_push(&r->ring, 7, 1.0, (double)n, 256, 42);
  }
  atomic_fetch_add(&r->pushed, n);
  return NULL;
}

/* Drains until `until`, then what is left: records taken. Volatile reads keep the work real. */
static uint64_t consume(struct ls_ring *ring, double until) {
  uint64_t taken = 0;
  volatile double sink = 0;
  uint32_t tail = ring->hdr->tail;
  for (;;) {
    uint32_t batch = 0;
    for (;;) {
      struct ls_ring_slot *s = &ring->slots[tail & ring->mask];
      if (atomic_load_explicit(&s->seq, memory_order_acquire) != tail + 1) break;
      sink += s->offset + s->length + s->handle;
      atomic_store_explicit(&s->seq, tail + ring->mask + 1, memory_order_release);
      tail++;
      if (++batch == 4096) break;
    }
    ring->hdr->tail = tail;
    taken += batch;
    if (batch == 0 && now_s() >= until + 0.05) return taken;
  }
}

static int run_mode(const char *mode, double seconds, int producers, uint32_t capacity) {
  struct run r = {0};
  struct ls_shared shared;
  void *mem;
  bool cross = strcmp(mode, "cross-process") == 0;
  if (cross) {
    if (ls_shared_create(&shared, 64, capacity) != 0) return perror("memfd"), 1;
    mem = ls_shared_ring(&shared);
  } else {
    mem = aligned_alloc(4096, ((size_t)LS_RING_HEADER_BYTES + (size_t)capacity * LS_RING_SLOT_BYTES + 4095) / 4096 * 4096);
  }
  ls_ring_init_at(&r.ring, mem, capacity);
  double t0 = now_s();
  r.until = t0 + seconds;
  uint64_t taken = 0;
  int pipefd[2];
  pid_t child = -1;
  if (cross) {
    if (pipe(pipefd) != 0) return perror("pipe"), 1;
    child = fork();
    if (child == 0) {
      /* the consumer maps the region itself, as an attaching daemon does */
      struct ls_shared mine;
      if (ls_shared_map(&mine, shared.fd, 64) != 0) _exit(2);
      struct ls_ring ring;
      ls_ring_open_at(&ring, ls_shared_ring(&mine), mine.hdr->ring_bytes);
      uint64_t n = consume(&ring, r.until);
      if (write(pipefd[1], &n, sizeof(n)) != sizeof(n)) _exit(3);
      _exit(0);
    }
  }
  pthread_t th[64];
  for (int i = 0; i < producers; i++) pthread_create(&th[i], NULL, produce, &r);
  if (!cross) taken = consume(&r.ring, r.until);
  for (int i = 0; i < producers; i++) pthread_join(th[i], NULL);
  if (cross) {
    if (read(pipefd[0], &taken, sizeof(taken)) != sizeof(taken)) return fprintf(stderr, "consumer failed\n"), 1;
    waitpid(child, NULL, 0);
  }
  uint64_t dropped = atomic_load(&r.ring.hdr->dropped);
  printf("| %s | %d | %.2f M | %.2f M | %.1f%% |\n", mode, producers, (double)taken / seconds / 1e6,
         (double)(taken + dropped) / seconds / 1e6, 100.0 * (double)dropped / (double)(taken + dropped));
  return 0;
}

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 3;
  int producers = argc > 2 ? atoi(argv[2]) : 2;
  uint32_t capacity = LS_RING_DEFAULT_CAPACITY;
  if (producers < 1 || producers > 64) return fprintf(stderr, "1 to 64 producers\n"), 2;
  printf("| consumer | producers | records/s taken | records/s offered | dropped |\n|---|---:|---:|---:|---:|\n");
  for (int round = 0; round < 3; round++) {
    if (run_mode("in-process", seconds, producers, capacity) || run_mode("cross-process", seconds, producers, capacity)) return 1;
  }
  return 0;
}
