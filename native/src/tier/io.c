/* A tiered file's data path: writes, reads stitched across the synced boundary, truncation,
 * fallocate, SEEK_DATA/SEEK_HOLE and the attributes it shows. */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <unistd.h>

#include "tier_internal.h"

static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

/* With the tier's lock held, after `grow` bytes became unsynced (or the disk copy changed). */
static void became_unsynced(struct ls_tiers *ts, struct ls_tier *t, uint64_t grow) {
  if (grow) {
    uint64_t before = atomic_fetch_add_explicit(&ts->unsynced, grow, memory_order_relaxed);
    /* crossing the limit: writers wait for the sync, unless the sync cannot drain (failing) */
    if (before < ts->o.max_unsynced && before + grow >= ts->o.max_unsynced) {
      pthread_mutex_lock(&ts->lock);
      if (ts->t.healthy) atomic_store(&ts->throttle, true);
      pthread_cond_broadcast(&ts->cond);
      pthread_mutex_unlock(&ts->lock);
    }
  }
  if (!t->dirty) {
    /* rare: only when a clean file takes its first unsynced byte */
    pthread_mutex_lock(&ts->lock);
    ls_tier_dirty_link(ts, t, ls_tier_now_ms());
    pthread_mutex_unlock(&ts->lock);
  }
}

/* Below the synced boundary the disk copy is the file: written through (rare for logs). */
static ssize_t write_below(struct ls_tiers *ts, struct ls_tier *t, int ram, const char *buf,
                           size_t len, uint64_t off, uint64_t synced) {
  size_t below = (size_t)min_u64(len, synced - off);
  ssize_t n = pwrite(t->disk_fd, buf, below, (off_t)off);
  if (n < 0) return -errno;
  t->disk_dirty = true;
  atomic_fetch_add_explicit(&ts->write_through_bytes, (uint64_t)n, memory_order_relaxed);
  if ((size_t)n < below || below == len) return n;
  ssize_t m = pwrite(ram, buf + below, len - below, (off_t)synced);
  return m < 0 ? n : n + m;
}

ssize_t ls_tier_write(struct ls_tiers *ts, struct ls_tier *t, const void *buf, size_t len, uint64_t off) {
  pthread_mutex_lock(&t->lock);
  uint64_t synced = atomic_load_explicit(&t->synced, memory_order_relaxed);
  int ram = atomic_load_explicit(&t->ram_fd, memory_order_relaxed);
  ssize_t n;
  if (ram < 0)
    n = -EBADF; /* a handle opened for writing always made one (ls_tier_get) */
  else if (off >= synced) {
    n = pwrite(ram, buf, len, (off_t)off);
    if (n < 0) n = -errno;
  } else
    n = write_below(ts, t, ram, buf, len, off, synced);
  if (n > 0) {
    uint64_t end = off + (uint64_t)n;
    if (t->sync_to && off < t->sync_to) t->rewritten = true;
    uint64_t grow = end > t->size ? end - t->size : 0;
    if (grow) t->size = end;
    /* a file with no name left (unlinked while open) has nothing to sync */
    if (!t->gone && (grow || t->disk_dirty)) became_unsynced(ts, t, grow);
  }
  pthread_mutex_unlock(&t->lock);
  return n;
}

static ssize_t pread_full(int fd, char *buf, size_t len, uint64_t off) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = pread(fd, buf + done, len - done, (off_t)(off + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return done ? (ssize_t)done : -errno;
    }
    if (n == 0) break;
    done += (size_t)n;
  }
  return (ssize_t)done;
}

/*
 * Lock-free. The part below `synced` comes from the disk copy, the rest from the RAM copy. A
 * sync publishes a new `synced` only once the disk copy holds everything below it, and punches
 * the RAM copy only below a published boundary: so if `synced` is unchanged after the RAM read,
 * no punch can have touched what was read; if it moved, what it moved over is re-read from disk.
 */
ssize_t ls_tier_read(struct ls_tier *t, void *out, size_t len, uint64_t off) {
  char *buf = out;
  int disk_fd = t->disk_fd;
  uint64_t s1 = atomic_load_explicit(&t->synced, memory_order_acquire);
  int ram = atomic_load_explicit(&t->ram_fd, memory_order_acquire);
  if (ram < 0 || off + len <= s1) return pread_full(disk_fd, buf, len, off);
  size_t done = 0;
  if (off < s1) {
    ssize_t n = pread_full(disk_fd, buf, (size_t)(s1 - off), off);
    if (n < 0 || (uint64_t)n < s1 - off) return n; /* truncated meanwhile: what there was */
    done = (size_t)n;
  }
  ssize_t m = pread_full(ram, buf + done, len - done, off + done);
  if (m < 0) return done ? (ssize_t)done : m;
  uint64_t s2 = atomic_load_explicit(&t->synced, memory_order_seq_cst);
  uint64_t from = off + done, to = min_u64(off + done + (uint64_t)m, s2);
  if (s2 > s1 && to > from) {
    ssize_t again = pread_full(disk_fd, buf + done, (size_t)(to - from), from);
    if (again < 0 || (uint64_t)again < to - from) return done + (again > 0 ? (size_t)again : 0);
  }
  return (ssize_t)(done + (size_t)m);
}

int ls_tier_truncate(struct ls_tiers *ts, struct ls_tier *t, uint64_t size) {
  pthread_mutex_lock(&t->lock);
  uint64_t synced = atomic_load(&t->synced);
  int ram = atomic_load(&t->ram_fd);
  int r = 0;
  /* the RAM copy first: a crash between the two leaves a RAM copy shorter than its disk copy,
   * and the next start completes the truncation (see the recovery rule in tier.h) */
  if (ram >= 0 && ftruncate(ram, (off_t)size) < 0) r = -errno;
  if (r == 0 && (ram < 0 || size < synced) && ftruncate(t->disk_fd, (off_t)size) < 0) r = -errno;
  if (r == 0 || ram >= 0) {
    /* once the RAM copy is cut, the file is `size` long even if the disk copy is not yet */
    uint64_t old_unsynced = t->size > synced ? t->size - synced : 0;
    uint64_t new_synced = ram < 0 ? size : min_u64(synced, size);
    uint64_t new_unsynced = size > new_synced ? size - new_synced : 0;
    atomic_store(&t->synced, new_synced);
    if (old_unsynced > new_unsynced && !t->gone)
      atomic_fetch_sub(&ts->unsynced, old_unsynced - new_unsynced);
    t->size = size;
    t->gen++;
    if (t->reserved_to > size && size < synced) t->reserved_to = 0; /* truncation freed them */
    if (new_unsynced > old_unsynced && !t->gone) became_unsynced(ts, t, new_unsynced - old_unsynced);
  }
  pthread_mutex_unlock(&t->lock);
  return r;
}

int ls_tier_fallocate(struct ls_tiers *ts, struct ls_tier *t, int mode, uint64_t off, uint64_t len) {
  if (mode & ~FALLOC_FL_KEEP_SIZE) return -EOPNOTSUPP;
  pthread_mutex_lock(&t->lock);
  uint64_t synced = atomic_load(&t->synced);
  int ram = atomic_load(&t->ram_fd);
  int r = 0;
  if (off < synced)
    r = fallocate(t->disk_fd, mode | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)min_u64(len, synced - off)) < 0 ? -errno : 0;
  if (r == 0 && off + len > synced) {
    uint64_t from = off > synced ? off : synced;
    if (ram < 0)
      r = -EBADF;
    else if (fallocate(ram, mode, (off_t)from, (off_t)(off + len - from)) < 0)
      r = -errno;
    else if (!(mode & FALLOC_FL_KEEP_SIZE) && off + len > t->size) {
      uint64_t grow = off + len - t->size;
      t->size = off + len;
      if (!t->gone) became_unsynced(ts, t, grow);
    }
  }
  pthread_mutex_unlock(&t->lock);
  return r;
}

int64_t ls_tier_seek(struct ls_tier *t, int64_t off, int whence) {
  int disk_fd = t->disk_fd;
  uint64_t synced = atomic_load(&t->synced);
  int ram = atomic_load(&t->ram_fd);
  if (ram < 0) {
    off_t r = lseek(disk_fd, off, whence);
    return r < 0 ? -errno : r;
  }
  if ((uint64_t)off < synced) {
    /* the disk copy ends at `synced`, where it reports a hole that is not one */
    off_t r = lseek(disk_fd, off, whence);
    if (r >= 0 && (uint64_t)r < synced) return r;
    if (r < 0 && errno != ENXIO) return -errno;
    off = (int64_t)synced;
  }
  off_t r = lseek(ram, off, whence);
  return r < 0 ? -errno : r;
}

void ls_tier_stat(struct ls_tier *t, struct stat *st) {
  pthread_mutex_lock(&t->lock);
  int ram = atomic_load(&t->ram_fd);
  struct stat rs;
  if (ram >= 0 && fstat(ram, &rs) == 0) {
    st->st_size = (off_t)t->size;
    /* both copies' blocks: the disk's, and the RAM pages of the unsynced tail */
    st->st_blocks += rs.st_blocks;
    /* writes land in the RAM copy, metadata changes in the disk copy: the later of each */
    if (rs.st_mtim.tv_sec > st->st_mtim.tv_sec ||
        (rs.st_mtim.tv_sec == st->st_mtim.tv_sec && rs.st_mtim.tv_nsec > st->st_mtim.tv_nsec))
      st->st_mtim = rs.st_mtim;
    if (rs.st_ctim.tv_sec > st->st_ctim.tv_sec ||
        (rs.st_ctim.tv_sec == st->st_ctim.tv_sec && rs.st_ctim.tv_nsec > st->st_ctim.tv_nsec))
      st->st_ctim = rs.st_ctim;
  }
  pthread_mutex_unlock(&t->lock);
}

void ls_tiers_count_throttled(struct ls_tiers *ts, double waited_ms, int delta_now) {
  pthread_mutex_lock(&ts->lock);
  if (delta_now > 0) ts->t.throttled_writes++;
  ts->t.throttled_now += (uint64_t)(int64_t)delta_now;
  ts->t.throttled_ms += waited_ms;
  pthread_mutex_unlock(&ts->lock);
}

bool ls_tiers_may_wait(struct ls_tiers *ts) {
  pthread_mutex_lock(&ts->lock);
  bool wait = ts->t.healthy && atomic_load(&ts->unsynced) > 0 && !ts->stopping;
  if (wait) pthread_cond_broadcast(&ts->cond);
  pthread_mutex_unlock(&ts->lock);
  return wait;
}
