/* The tier table: tiers by disk identity, their RAM copies' names, the dirty list, adoption of
 * RAM copies left by a process that died, and the give-back once a file is synced and closed. */
#include "tier.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "tier_internal.h"

#define INITIAL_BUCKETS 256u

double ls_tier_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static size_t bucket_of(const struct ls_tiers *ts, dev_t dev, ino_t ino) {
  uint64_t h = (uint64_t)ino * 0x9E3779B97F4A7C15ull ^ (uint64_t)dev;
  return (size_t)(h >> 17) & (ts->nbuckets - 1);
}

struct ls_tier *ls_tier_find_locked(struct ls_tiers *ts, dev_t dev, ino_t ino) {
  struct ls_tier *t = ts->buckets[bucket_of(ts, dev, ino)];
  while (t && !(t->dev == dev && t->ino == ino)) t = t->hnext;
  return t;
}

static void insert(struct ls_tiers *ts, struct ls_tier *t) {
  size_t b = bucket_of(ts, t->dev, t->ino);
  t->hnext = ts->buckets[b];
  ts->buckets[b] = t;
}

static void unhash(struct ls_tiers *ts, struct ls_tier *t) {
  struct ls_tier **p = &ts->buckets[bucket_of(ts, t->dev, t->ino)];
  while (*p && *p != t) p = &(*p)->hnext;
  if (*p) *p = t->hnext;
  ts->count--;
}

/* With the lock held. A table that cannot grow keeps working with longer chains. */
static void maybe_grow(struct ls_tiers *ts) {
  if (ts->count <= ts->nbuckets * 2) return;
  struct ls_tier **old = ts->buckets;
  size_t oldn = ts->nbuckets;
  struct ls_tier **fresh = calloc(oldn * 2, sizeof(*fresh));
  if (!fresh) return;
  ts->buckets = fresh;
  ts->nbuckets = oldn * 2;
  for (size_t i = 0; i < oldn; i++)
    for (struct ls_tier *t = old[i], *next; t; t = next) {
      next = t->hnext;
      insert(ts, t);
    }
  free(old);
}

void ls_tier_dirty_link(struct ls_tiers *ts, struct ls_tier *t, double now_ms) {
  if (t->dirty) return;
  t->dirty = true;
  t->dirty_since_ms = now_ms;
  t->dprev = ts->dirty.dprev;
  t->dnext = &ts->dirty;
  ts->dirty.dprev->dnext = t;
  ts->dirty.dprev = t;
}

void ls_tier_dirty_unlink(struct ls_tier *t) {
  if (!t->dirty) return;
  t->dirty = false;
  t->dirty_since_ms = 0;
  t->dprev->dnext = t->dnext;
  t->dnext->dprev = t->dprev;
  t->dnext = t->dprev = NULL;
}

int ls_tier_handle_name(int fd, char out[LS_TIER_NAME_MAX]) {
  union {
    struct file_handle fh;
    char space[sizeof(struct file_handle) + MAX_HANDLE_SZ];
  } h;
  h.fh.handle_bytes = MAX_HANDLE_SZ;
  int mount_id;
  if (name_to_handle_at(fd, "", &h.fh, &mount_id, AT_EMPTY_PATH) < 0) return -errno;
  int n = snprintf(out, LS_TIER_NAME_MAX, "%x-", (unsigned)h.fh.handle_type);
  if ((size_t)n + 2 * h.fh.handle_bytes + 1 > LS_TIER_NAME_MAX) return -ENAMETOOLONG;
  for (unsigned i = 0; i < h.fh.handle_bytes; i++)
    n += snprintf(out + n, LS_TIER_NAME_MAX - (size_t)n, "%02x", (unsigned char)h.fh.f_handle[i]);
  return 0;
}

/* The disk file a RAM copy's name stands for, opened O_RDWR; -ESTALE once it is gone. */
static int open_by_name(int disk_root_fd, const char *name) {
  union {
    struct file_handle fh;
    char space[sizeof(struct file_handle) + MAX_HANDLE_SZ];
  } h;
  char *end;
  unsigned long type = strtoul(name, &end, 16);
  if (*end != '-') return -EINVAL;
  const char *hex = end + 1;
  size_t len = strlen(hex);
  if (len % 2 || len / 2 > MAX_HANDLE_SZ || len == 0) return -EINVAL;
  for (size_t i = 0; i < len / 2; i++) {
    unsigned byte;
    if (sscanf(hex + 2 * i, "%2x", &byte) != 1) return -EINVAL;
    h.fh.f_handle[i] = (unsigned char)byte;
  }
  h.fh.handle_bytes = (unsigned)(len / 2);
  h.fh.handle_type = (int)type;
  int fd = open_by_handle_at(disk_root_fd, &h.fh, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  return fd < 0 ? -errno : fd;
}

static struct ls_tier *tier_new(dev_t dev, ino_t ino, int disk_fd, const char *name, uint64_t size) {
  struct ls_tier *t = calloc(1, sizeof(*t));
  if (!t) return NULL;
  if (pthread_mutex_init(&t->lock, NULL) != 0) {
    free(t);
    return NULL;
  }
  t->dev = dev;
  t->ino = ino;
  t->disk_fd = disk_fd;
  atomic_init(&t->ram_fd, -1);
  atomic_init(&t->synced, size);
  t->size = size;
  snprintf(t->name, sizeof(t->name), "%s", name);
  return t;
}

/* Takes a tier out of use: its RAM copy (all synced, or unwanted: its file is gone) and what is
 * reserved past its disk copy's end go back. Nothing may reach it any more. */
/*
 * Gives back the extents reserved past the disk copy's end (KEEP_SIZE), once nothing can append
 * to it: no sync runs on it and no handle writes it. ext4 ignores a hole punched past the end of
 * a file, and drops such blocks on a truncation to the size the file has (even an unchanged
 * one); other filesystems take the punch. So both, at the disk copy's own length (never the
 * logical size: the disk copy's length is the synced boundary).
 */
static void give_back_reservation(struct ls_tier *t) {
  struct stat st;
  if (t->reserved_to == 0 || fstat(t->disk_fd, &st) < 0) return;
  uint64_t end = (uint64_t)st.st_size;
  if (t->reserved_to > end) fallocate(t->disk_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)end, (off_t)(t->reserved_to - end));
  ftruncate(t->disk_fd, (off_t)end);
  t->reserved_to = 0;
}

static void tier_free(struct ls_tiers *ts, struct ls_tier *t) {
  int ram = atomic_load(&t->ram_fd);
  bool dropped = ram >= 0 && close(ram) == 0 && ts->o.ram_dir_fd >= 0 && unlinkat(ts->o.ram_dir_fd, t->name, 0) == 0;
  give_back_reservation(t);
  close(t->disk_fd);
  pthread_mutex_lock(&ts->lock);
  ts->t.ram_copies_dropped += dropped;
  pthread_mutex_unlock(&ts->lock);
  pthread_mutex_destroy(&t->lock);
  free(t);
}

struct ls_tier *ls_tier_find(struct ls_tiers *ts, dev_t dev, ino_t ino) {
  pthread_mutex_lock(&ts->lock);
  struct ls_tier *t = ts->buckets ? ls_tier_find_locked(ts, dev, ino) : NULL;
  if (t) t->refs++;
  pthread_mutex_unlock(&ts->lock);
  return t;
}

/* With the tier's lock held: the RAM copy a writer needs, sparse up to the logical size. */
static int make_ram_copy(struct ls_tiers *ts, struct ls_tier *t) {
  /* without a RAM copy the disk copy is the whole file: take its length now */
  struct stat st;
  if (fstat(t->disk_fd, &st) < 0) return -errno;
  uint64_t size = (uint64_t)st.st_size;
  int fd = openat(ts->o.ram_dir_fd, t->name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return -errno;
  if (ftruncate(fd, (off_t)size) < 0) {
    int err = -errno;
    close(fd);
    unlinkat(ts->o.ram_dir_fd, t->name, 0);
    return err;
  }
  t->size = size;
  atomic_store(&t->synced, size);
  atomic_store(&t->ram_fd, fd);
  return 0;
}

struct ls_tier *ls_tier_get(struct ls_tiers *ts, int fd, bool for_writing, int *err) {
  struct stat st;
  if (fstat(fd, &st) < 0) {
    *err = -errno;
    return NULL;
  }
  if (!S_ISREG(st.st_mode)) {
    *err = -ENOTSUP;
    return NULL;
  }
  struct ls_tier *t = ls_tier_find(ts, st.st_dev, st.st_ino);
  if (!t) {
    char name[LS_TIER_NAME_MAX];
    char proc[40];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    /* the sync writes through its own descriptor, whatever the opener's access mode */
    int disk_fd = ls_tier_handle_name(fd, name) == 0 ? open(proc, O_RDWR | O_CLOEXEC | O_NOCTTY) : -1;
    if (disk_fd < 0) {
      *err = -ENOTSUP; /* no handle for it, or not writable: served from the disk directly */
      return NULL;
    }
    struct ls_tier *fresh = tier_new(st.st_dev, st.st_ino, disk_fd, name, (uint64_t)st.st_size);
    if (!fresh) {
      close(disk_fd);
      *err = -ENOMEM;
      return NULL;
    }
    pthread_mutex_lock(&ts->lock);
    t = ls_tier_find_locked(ts, st.st_dev, st.st_ino);
    if (t) {
      t->refs++;
    } else {
      t = fresh;
      t->refs = 1;
      insert(ts, t);
      ts->count++;
      maybe_grow(ts);
      fresh = NULL;
    }
    pthread_mutex_unlock(&ts->lock);
    if (fresh) {
      close(fresh->disk_fd);
      pthread_mutex_destroy(&fresh->lock);
      free(fresh);
    }
  }
  if (for_writing && atomic_load(&t->ram_fd) < 0) {
    pthread_mutex_lock(&t->lock);
    int r = atomic_load(&t->ram_fd) < 0 ? make_ram_copy(ts, t) : 0;
    pthread_mutex_unlock(&t->lock);
    if (r < 0) {
      ls_tier_put(ts, t);
      *err = r;
      return NULL;
    }
  }
  return t;
}

void ls_tier_put(struct ls_tiers *ts, struct ls_tier *t) {
  pthread_mutex_lock(&ts->lock);
  bool last = --t->refs == 0 && (!t->dirty || t->gone);
  if (last) {
    ls_tier_dirty_unlink(t);
    unhash(ts, t);
  }
  pthread_mutex_unlock(&ts->lock);
  if (last) tier_free(ts, t);
}

void ls_tiers_file_gone(struct ls_tiers *ts, dev_t dev, ino_t ino) {
  struct ls_tier *t = ls_tier_find(ts, dev, ino);
  if (!t) return;
  struct stat st;
  pthread_mutex_lock(&t->lock);
  bool gone = fstat(t->disk_fd, &st) == 0 && st.st_nlink == 0;
  if (gone && !t->gone) {
    /* its tail has nowhere to go: no longer counted as unsynced (gone files never are), and its
     * RAM goes with the last handle */
    uint64_t s = atomic_load(&t->synced);
    if (t->size > s) atomic_fetch_sub(&ts->unsynced, t->size - s);
  }
  pthread_mutex_lock(&ts->lock);
  if (gone) {
    t->gone = true;
    ls_tier_dirty_unlink(t);
  }
  pthread_mutex_unlock(&ts->lock);
  pthread_mutex_unlock(&t->lock);
  ls_tier_put(ts, t);
}

void ls_tiers_meta_dirty(struct ls_tiers *ts, int opath_fd) {
  struct stat st;
  if (fstatat(opath_fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) return;
  pthread_mutex_lock(&ts->lock);
  bool known = ts->meta_overflow;
  for (size_t i = 0; i < ts->nmeta && !known; i++)
    known = ts->meta[i].dev == st.st_dev && ts->meta[i].ino == st.st_ino;
  pthread_mutex_unlock(&ts->lock);
  if (known) return;
  /* fsync needs a real descriptor; a symlink cannot give one, its directory's fsync covers it */
  int fd = -1;
  if (!S_ISLNK(st.st_mode)) {
    char proc[40];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", opath_fd);
    fd = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  }
  pthread_mutex_lock(&ts->lock);
  if (fd < 0 && !S_ISLNK(st.st_mode)) {
    ts->meta_overflow = true; /* cannot name it: the round syncs the whole filesystem */
  } else if (fd >= 0) {
    if (ts->nmeta == ts->capmeta) {
      size_t cap = ts->capmeta ? ts->capmeta * 2 : 64;
      void *grown = cap <= LS_TIER_MAX_META ? realloc(ts->meta, cap * sizeof(*ts->meta)) : NULL;
      if (grown) {
        ts->meta = grown;
        ts->capmeta = cap;
      }
    }
    if (ts->nmeta < ts->capmeta) {
      ts->meta[ts->nmeta].dev = st.st_dev;
      ts->meta[ts->nmeta].ino = st.st_ino;
      ts->meta[ts->nmeta].fd = fd;
      ts->nmeta++;
      fd = -1;
    } else {
      ts->meta_overflow = true;
    }
  }
  pthread_mutex_unlock(&ts->lock);
  if (fd >= 0) close(fd);
}

/* Adopts one RAM copy a previous process left: its disk file found by handle, `synced` its disk
 * length, a truncation the disk copy missed completed. Returns its unsynced bytes, or -errno. */
static int64_t adopt(struct ls_tiers *ts, const char *name) {
  int ram = openat(ts->o.ram_dir_fd, name, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (ram < 0) return -errno;
  int disk = open_by_name(ts->o.handle_root_fd, name);
  struct stat rs, ds;
  bool gone = disk == -ESTALE || (disk >= 0 && fstat(disk, &ds) == 0 && ds.st_nlink == 0);
  if (disk < 0 || gone || fstat(ram, &rs) < 0 || fstat(disk, &ds) < 0 || !S_ISREG(ds.st_mode)) {
    close(ram);
    if (disk >= 0) close(disk);
    /* only a file that is gone for certain loses its tail, which has nowhere to go; anything
     * else keeps the RAM copy where it is, for a later start (or `logshadow recover`) */
    if (gone) unlinkat(ts->o.ram_dir_fd, name, 0);
    else ts->t.unadopted++;
    return gone ? -ESTALE : disk < 0 ? disk : -EINVAL;
  }
  if (rs.st_size < ds.st_size && ftruncate(disk, rs.st_size) == 0) ds.st_size = rs.st_size;
  struct ls_tier *t = tier_new(ds.st_dev, ds.st_ino, disk, name, (uint64_t)rs.st_size);
  if (!t) {
    close(ram);
    close(disk);
    return -ENOMEM;
  }
  uint64_t synced = (uint64_t)(ds.st_size < rs.st_size ? ds.st_size : rs.st_size);
  atomic_store(&t->synced, synced);
  t->disk_dirty = true; /* what the dead process copied may not be durable yet */
  atomic_store(&t->ram_fd, ram);
  uint64_t unsynced = t->size - synced;
  pthread_mutex_lock(&ts->lock);
  if (ls_tier_find_locked(ts, t->dev, t->ino)) {
    /* two names for one file cannot happen; keep the first and leave this one on disk */
    pthread_mutex_unlock(&ts->lock);
    atomic_store(&t->ram_fd, -1);
    close(ram);
    close(disk);
    pthread_mutex_destroy(&t->lock);
    free(t);
    return -EEXIST;
  }
  insert(ts, t);
  ts->count++;
  maybe_grow(ts);
  ls_tier_dirty_link(ts, t, ls_tier_now_ms());
  atomic_fetch_add(&ts->unsynced, unsynced);
  ts->t.recovered_files++;
  ts->t.recovered_bytes += unsynced;
  pthread_mutex_unlock(&ts->lock);
  return (int64_t)unsynced;
}

static int adopt_all(struct ls_tiers *ts, char *err, size_t errlen) {
  int dfd = openat(ts->o.ram_dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
  if (!d) {
    int r = -errno;
    if (dfd >= 0) close(dfd);
    snprintf(err, errlen, "cannot list the RAM directory: %s", strerror(-r));
    return r;
  }
  struct dirent *de;
  while ((de = readdir(d))) {
    if (de->d_name[0] == '.') continue;
    adopt(ts, de->d_name);
  }
  closedir(d);
  return 0;
}

int ls_tiers_open(struct ls_tiers *ts, const struct ls_tier_options *o, char *err, size_t errlen) {
  memset(ts, 0, sizeof(*ts));
  ts->o = *o;
  ts->o.handle_root_fd = -1;
  ts->buckets = calloc(INITIAL_BUCKETS, sizeof(*ts->buckets));
  if (!ts->buckets) {
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  ts->nbuckets = INITIAL_BUCKETS;
  ts->dirty.dnext = ts->dirty.dprev = &ts->dirty;
  pthread_mutex_init(&ts->lock, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&ts->cond, &ca);
  pthread_condattr_destroy(&ca);
  ts->t.healthy = true;
  /* the disk side must be able to name its files by handle, or nothing can be tiered */
  char probe[LS_TIER_NAME_MAX];
  int r = ls_tier_handle_name(o->disk_root_fd, probe);
  /* open_by_handle_at refuses an O_PATH descriptor as its mount (EBADF) */
  char proc[40];
  snprintf(proc, sizeof proc, "/proc/self/fd/%d", o->disk_root_fd);
  if (r == 0 && (ts->o.handle_root_fd = open(proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) r = -errno;
  if (r < 0) {
    snprintf(err, errlen, "the disk directory's filesystem cannot give file handles (%s): it cannot keep a tiered mount's files",
             strerror(-r));
    ls_tiers_destroy(ts);
    return r;
  }
  r = adopt_all(ts, err, errlen);
  if (r == 0) r = ls_tier_sync_start(ts, err, errlen);
  if (r < 0) ls_tiers_destroy(ts);
  return r;
}

void ls_tiers_on_space(struct ls_tiers *ts, ls_tier_space_fn fn, void *ctx) {
  pthread_mutex_lock(&ts->lock);
  ts->on_space = fn;
  ts->on_space_ctx = ctx;
  pthread_mutex_unlock(&ts->lock);
}

void ls_tiers_release(struct ls_tiers *ts) {
  pthread_mutex_lock(&ts->lock);
  for (size_t i = 0; i < ts->nbuckets; i++)
    for (struct ls_tier *t = ts->buckets[i]; t; t = t->hnext) {
      /* nothing will append any more: the disk extents reserved past the end go back */
      give_back_reservation(t);
      int ram = atomic_exchange(&t->ram_fd, -1);
      if (ram < 0) continue;
      close(ram);
      bool synced = t->size <= atomic_load(&t->synced) || t->gone;
      if (synced && unlinkat(ts->o.ram_dir_fd, t->name, 0) == 0) ts->t.ram_copies_dropped++;
    }
  close(ts->o.ram_dir_fd);
  ts->o.ram_dir_fd = -1;
  pthread_mutex_unlock(&ts->lock);
}

void ls_tiers_destroy(struct ls_tiers *ts) {
  if (!ts->buckets) return;
  for (size_t i = 0; i < ts->nbuckets; i++)
    for (struct ls_tier *t = ts->buckets[i], *next; t; t = next) {
      next = t->hnext;
      /* a tail still unsynced keeps its RAM copy for the next start */
      int ram = atomic_load(&t->ram_fd);
      bool keep = t->size > atomic_load(&t->synced) && !t->gone;
      if (ram >= 0 && keep) {
        close(ram);
        atomic_store(&t->ram_fd, -1);
      }
      tier_free(ts, t);
    }
  for (size_t i = 0; i < ts->nmeta; i++) close(ts->meta[i].fd);
  if (ts->o.handle_root_fd >= 0) close(ts->o.handle_root_fd);
  free(ts->meta);
  free(ts->buckets);
  ts->buckets = NULL;
  pthread_cond_destroy(&ts->cond);
  pthread_mutex_destroy(&ts->lock);
}

void ls_tiers_totals(struct ls_tiers *ts, struct ls_tier_totals *out) {
  double now = ls_tier_now_ms();
  pthread_mutex_lock(&ts->lock);
  *out = ts->t;
  out->unsynced_bytes = atomic_load(&ts->unsynced);
  out->files = ts->count;
  out->dirty_files = 0;
  out->oldest_unsynced_ms = 0;
  for (struct ls_tier *t = ts->dirty.dnext; t != &ts->dirty; t = t->dnext) {
    out->dirty_files++;
    if (now - t->dirty_since_ms > out->oldest_unsynced_ms) out->oldest_unsynced_ms = now - t->dirty_since_ms;
  }
  out->write_through_bytes = atomic_load(&ts->write_through_bytes);
  /* reserved_to changes under each tier's lock: a snapshot for display */
  out->reserved_disk_bytes = 0;
  for (size_t i = 0; i < ts->nbuckets; i++)
    for (struct ls_tier *t = ts->buckets[i]; t; t = t->hnext) {
      uint64_t synced = atomic_load(&t->synced);
      if (t->reserved_to > synced) out->reserved_disk_bytes += t->reserved_to - synced;
    }
  pthread_mutex_unlock(&ts->lock);
}

size_t ls_tiers_files(struct ls_tiers *ts, struct ls_tier_file *out, size_t max) {
  double now = ls_tier_now_ms();
  size_t n = 0;
  pthread_mutex_lock(&ts->lock);
  for (struct ls_tier *t = ts->dirty.dnext; t != &ts->dirty; t = t->dnext) {
    /* size without the tier's lock: a snapshot for display, a write may be landing */
    uint64_t synced = atomic_load(&t->synced);
    struct ls_tier_file f = {
        .dev = t->dev, .ino = t->ino, .size = t->size, .synced = synced,
        .unsynced = t->size > synced ? t->size - synced : 0,
        .unsynced_age_ms = now - t->dirty_since_ms, .disk_fd = -1,
    };
    /* keep the `max` most unsynced: insertion into a small sorted array */
    size_t at = n < max ? n : max;
    while (at > 0 && out[at - 1].unsynced < f.unsynced) at--;
    if (at >= max) continue;
    if (n == max) close(out[max - 1].disk_fd);
    size_t last = n < max ? n : max - 1;
    memmove(&out[at + 1], &out[at], (last - at) * sizeof(*out));
    f.disk_fd = dup(t->disk_fd);
    out[at] = f;
    if (n < max) n++;
  }
  pthread_mutex_unlock(&ts->lock);
  return n;
}

uint64_t ls_tier_ram_free_permille(struct ls_tiers *ts) {
  struct statvfs sv;
  if (fstatvfs(ts->o.ram_dir_fd, &sv) < 0 || sv.f_blocks == 0) return 1000;
  return (uint64_t)((double)sv.f_bavail * 1000.0 / (double)sv.f_blocks);
}
