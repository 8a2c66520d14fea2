/*
 * The sync thread: copies each file's unsynced tail to its disk copy, makes it durable, publishes
 * the new boundary and gives the RAM back. It is the only writer of tails to the disk side (a
 * write below the boundary goes through on the writer's own thread, ls_tier_write), so no two
 * syncs of one file ever overlap.
 *
 * Triggers (ls_sync_trigger): the oldest unsynced byte reaching the interval; the unsynced total
 * at half of max_unsynced, or due to reach max_unsynced before a round could finish at the
 * current rate; the RAM side less than LS_TIER_FULL_PERMILLE free; and requests (an application's
 * fsync, the daemon's severity and forecast triggers, `logshadow sync`, unmount). After a failed
 * round (disk full, read-only, failing) automatic rounds back off, 1 s doubling to 60 s; requests
 * are still tried. Writers are throttled only while rounds succeed: a failing disk must not stop
 * the RAM side from taking writes.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "tier_internal.h"

#define LS_TIER_CHUNK (256u * 1024u)
#define LS_TIER_POLL_MS 100
#define LS_TIER_FULL_PERMILLE 150
#define LS_TIER_BACKOFF_MIN_MS 1000.0
#define LS_TIER_BACKOFF_MAX_MS 60000.0
/* Retries of a copy that a rewrite below its end spoiled, before one copy holds the file's lock. */
#define LS_TIER_REWRITE_RETRIES 3
#define LS_TIER_RESERVE_MIN (64u * 1024u)
#define LS_TIER_RESERVE_MAX (8u * 1024u * 1024u)
#define LS_TIER_FSYNC_THREADS 8

struct ls_tier_request {
  struct ls_tier_request *next;
  bool all;
  dev_t dev;
  ino_t ino;
  enum ls_sync_trigger trigger;
  bool waiting; /* on its caller's stack: completed, never freed, by the round */
  bool done;
  int result;
  uint64_t bytes;
  double deadline_ms;
};

#define LS_SYNC_NONE LS_SYNC_TRIGGER_COUNT

static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

static struct timespec abs_in(double ms) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  long long ns = (long long)t.tv_nsec + (long long)(ms * 1e6);
  t.tv_sec += (time_t)(ns / 1000000000LL);
  t.tv_nsec = (long)(ns % 1000000000LL);
  return t;
}

static int pwrite_full(int fd, const char *buf, size_t len, uint64_t off) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = pwrite(fd, buf + done, len - done, (off_t)(off + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (n == 0) return -EIO;
    done += (size_t)n;
  }
  return 0;
}

/*
 * Copies the RAM copy's [from, to) to the disk copy at the same offsets, skipping holes, one
 * chunk at a time under the file's lock (so a truncation never interleaves with a chunk) unless
 * `hold` says the caller holds it throughout. -EAGAIN: a truncation made the copy void.
 */
static int copy_range(struct ls_tier *t, int ram, char *buf, uint64_t from, uint64_t to, uint64_t gen,
                      bool hold, double deadline_ms, uint64_t *written) {
  uint64_t pos = from;
  int r = 0;
  while (pos < to && r == 0) {
    if (ls_tier_now_ms() > deadline_ms) return -ETIMEDOUT;
    if (!hold) pthread_mutex_lock(&t->lock);
    if (t->gen != gen) {
      r = -EAGAIN;
    } else {
      off_t data = lseek(ram, (off_t)pos, SEEK_DATA);
      if (data < 0 && errno != ENXIO) {
        r = -errno;
      } else if (data < 0 || (uint64_t)data > pos) {
        pos = data < 0 ? to : min_u64((uint64_t)data, to); /* a hole: the disk copy keeps one too */
      } else {
        off_t hole = lseek(ram, (off_t)pos, SEEK_HOLE);
        uint64_t end = min_u64(to, hole > (off_t)pos ? (uint64_t)hole : to);
        size_t want = (size_t)min_u64(end - pos, LS_TIER_CHUNK);
        ssize_t n = pread(ram, buf, want, (off_t)pos);
        if (n <= 0) r = n < 0 ? -errno : -EAGAIN;
        else if ((r = pwrite_full(t->disk_fd, buf, (size_t)n, pos)) == 0) {
          pos += (uint64_t)n;
          *written += (uint64_t)n;
        }
      }
    }
    if (r == 0 && pos >= to) {
      /* the disk copy ends where the copy did: a trailing hole, or bytes past it left by a
       * truncation that the disk copy did not take */
      struct stat st;
      if (fstat(t->disk_fd, &st) < 0) r = -errno;
      else if ((uint64_t)st.st_size != to && ftruncate(t->disk_fd, (off_t)to) < 0) r = -errno;
    }
    if (!hold) pthread_mutex_unlock(&t->lock);
  }
  return r;
}

/* The disk copy takes the RAM copy's mtime (its pwrite set it to now), then is made durable. */
static int make_durable(struct ls_tier *t, int ram) {
  struct stat rs;
  if (fstat(ram, &rs) == 0) {
    struct timespec times[2] = {{0, UTIME_OMIT}, rs.st_mtim};
    futimens(t->disk_fd, times);
  }
  return fsync(t->disk_fd) < 0 ? -errno : 0;
}

/*
 * Room reserved past the disk copy's end for what the next syncs will append, so that a log
 * growing by small syncs between many others does not fragment (XFS's speculative EOF
 * pre-allocation is the model). How much: half the file's size (XFS sizes from the file too),
 * or twice the daemon's forecast of what the file gets between two syncs (ls_tiers_hint) when
 * that is more; a power of two within bounds, topped up when half is used, nothing while the
 * disk is nearly full. Only while the file is open: given back at its last close.
 */
static void reserve_ahead(struct ls_tier *t, uint64_t to, uint64_t gen) {
  struct statvfs sv;
  if (fstatvfs(t->disk_fd, &sv) == 0 && sv.f_bavail * 20 < sv.f_blocks) return;
  uint64_t basis = 2 * t->hint_bytes > to / 2 ? 2 * t->hint_bytes : to / 2;
  uint64_t want = LS_TIER_RESERVE_MIN;
  while (want < basis && want < LS_TIER_RESERVE_MAX) want <<= 1;
  if (t->reserved_to >= to + want / 2) return;
  if (fallocate(t->disk_fd, FALLOC_FL_KEEP_SIZE, (off_t)to, (off_t)want) < 0) return;
  pthread_mutex_lock(&t->lock);
  if (t->gen == gen) t->reserved_to = to + want;
  pthread_mutex_unlock(&t->lock);
}

/*
 * Punches [0, to) of a RAM copy. tmpfs moves a file's times at a punch, holes only included, and
 * the file shows the later of its two copies' mtimes: a sync, which changes no byte, would move
 * it at every round. The mtime is put back (ctime moves: no call sets it).
 */
static void punch_keeping_mtime(int ram, uint64_t to) {
  struct stat st;
  bool known = fstat(ram, &st) == 0;
  if (fallocate(ram, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, (off_t)to) < 0 || !known) return;
  struct timespec times[2] = {{.tv_nsec = UTIME_OMIT}, st.st_mtim};
  futimens(ram, times);
}

/*
 * One file's part in a round: copy [synced, size) as it stands when the round begins, make it
 * durable, publish, punch. A round copies every file first and makes them durable after: on a
 * journalling filesystem the first fsync then commits the size changes of them all in one
 * transaction, and the others find theirs committed (one commit per round, not per file).
 */
struct sync_job {
  struct ls_tier *t;
  int ram;
  uint64_t from, to, gen;
  bool need_fsync; /* written through below the boundary since the last round */
  bool copying;    /* it has a tail to copy (else at most an fsync) */
  int r;
};

static void job_begin(struct sync_job *j) {
  struct ls_tier *t = j->t;
  pthread_mutex_lock(&t->lock);
  j->ram = atomic_load(&t->ram_fd);
  j->from = atomic_load(&t->synced);
  j->to = t->size;
  j->gen = t->gen;
  j->need_fsync = t->disk_dirty && !t->gone;
  t->disk_dirty = false;
  j->copying = !t->gone && j->ram >= 0 && j->to > j->from;
  if (j->copying) {
    t->sync_to = j->to;
    t->rewritten = false;
  }
  pthread_mutex_unlock(&t->lock);
}

static void job_copy(struct sync_job *j, char *buf, double deadline_ms, uint64_t *written) {
  j->r = j->copying ? copy_range(j->t, j->ram, buf, j->from, j->to, j->gen, false, deadline_ms, written) : 0;
}

static void job_durable(struct sync_job *j) {
  if (j->r == 0 && j->copying) j->r = make_durable(j->t, j->ram);
  else if (j->r == 0 && j->need_fsync) j->r = fsync(j->t->disk_fd) < 0 ? -errno : 0;
}

/*
 * The jobs' fsyncs, several at once: a journalling filesystem commits concurrent fsyncs of one
 * transaction together, with one cache flush, where one after the other each pays a commit and
 * a flush of its own (measured on ext4: 10 files 50-80 ms at once, 90-245 ms one by one).
 */
struct durable_pool {
  struct sync_job *jobs;
  size_t n;
  _Atomic size_t next;
};

static void *durable_worker(void *arg) {
  struct durable_pool *pool = arg;
  for (size_t i; (i = atomic_fetch_add(&pool->next, 1)) < pool->n;) job_durable(&pool->jobs[i]);
  return NULL;
}

static void make_all_durable(struct sync_job *jobs, size_t n) {
  struct durable_pool pool = {.jobs = jobs, .n = n};
  atomic_init(&pool.next, 0);
  pthread_t threads[LS_TIER_FSYNC_THREADS];
  size_t started = 0;
  /* this thread works too; one more thread per two files, up to the bound */
  while (started + 1 < LS_TIER_FSYNC_THREADS && (started + 1) * 2 < n &&
         pthread_create(&threads[started], NULL, durable_worker, &pool) == 0)
    started++;
  durable_worker(&pool);
  for (size_t i = 0; i < started; i++) pthread_join(threads[i], NULL);
}

/*
 * Publishes what the job made durable. A write that landed below the copy's end meanwhile
 * (rewritten) makes it copy again, the last time holding the file's lock throughout; a
 * truncation makes it give up (the next round takes the new state). Returns 0 or -errno; *bytes
 * gets what it synced.
 */
static int job_finish(struct ls_tiers *ts, struct sync_job *j, char *buf, double deadline_ms, uint64_t *bytes,
                      uint64_t *written) {
  struct ls_tier *t = j->t;
  int r = j->r;
  pthread_mutex_lock(&t->lock);
  if (!j->copying) {
    if (r < 0) t->disk_dirty = true;
    pthread_mutex_lock(&ts->lock);
    if ((t->size <= atomic_load(&t->synced) || t->gone) && !t->disk_dirty) ls_tier_dirty_unlink(t);
    pthread_mutex_unlock(&ts->lock);
    pthread_mutex_unlock(&t->lock);
    return r;
  }
  for (int attempt = 1; r == 0 && t->gen == j->gen && t->rewritten; attempt++) {
    t->rewritten = false;
    bool hold = attempt >= LS_TIER_REWRITE_RETRIES;
    if (!hold) pthread_mutex_unlock(&t->lock);
    r = copy_range(t, j->ram, buf, j->from, j->to, j->gen, hold, deadline_ms, written);
    if (r == 0) r = make_durable(t, j->ram);
    if (!hold) pthread_mutex_lock(&t->lock);
  }
  if (r == 0 && t->gen != j->gen) r = -EAGAIN;
  t->sync_to = 0;
  if (r < 0) {
    t->disk_dirty |= j->need_fsync;
    pthread_mutex_unlock(&t->lock);
    return r == -EAGAIN ? 0 : r; /* truncated meanwhile: not a failure, the next round goes on */
  }
  /* publish: from here readers take [from, to) from the disk copy */
  atomic_store_explicit(&t->synced, j->to, memory_order_seq_cst);
  atomic_fetch_sub(&ts->unsynced, j->to - j->from);
  *bytes += j->to - j->from;
  t->last_sync_bytes = j->to - j->from;
  uint64_t punch_to = j->to & ~(uint64_t)(LS_TIER_PAGE - 1);
  /* Under the lock: a truncation and new writes must not slip in between and be punched. From the
   * start, not from the last punch: below the boundary the disk copy is the file, yet a page can
   * be allocated there after its part was punched (the daemon's pre-allocation, reserving from an
   * end of file measured just before a round moved past it), and it would be held for nothing for
   * the file's life. Fallocated pages are holes to SEEK_DATA, so they are not looked for; a punch
   * over holes costs about a microsecond on tmpfs, 16 GiB of them included (measured). */
  if (punch_to > 0) punch_keeping_mtime(j->ram, punch_to);
  pthread_mutex_lock(&ts->lock);
  bool open = t->refs > 1; /* the round holds one */
  ls_tier_dirty_unlink(t);
  if (t->size > j->to || t->disk_dirty) ls_tier_dirty_link(ts, t, ls_tier_now_ms()); /* to the tail */
  pthread_mutex_unlock(&ts->lock);
  pthread_mutex_unlock(&t->lock);
  if (ts->o.disk_reserve && open) reserve_ahead(t, j->to, j->gen);
  return 0;
}

/* With the table's lock held. Which automatic trigger, if any, is due now. */
static enum ls_sync_trigger due(struct ls_tiers *ts, double now) {
  struct ls_tier *oldest = ts->dirty.dnext;
  if (oldest == &ts->dirty || now < ts->backoff_until_ms) return LS_SYNC_NONE;
  uint64_t unsynced = atomic_load(&ts->unsynced);
  double lead = ts->last_round_ms + 2 * LS_TIER_POLL_MS;
  if (atomic_load(&ts->throttle) || unsynced >= ts->o.max_unsynced / 2 ||
      (double)unsynced + ts->rate_bytes_per_ms * lead >= (double)ts->o.max_unsynced)
    return LS_SYNC_SIZE;
  if (ls_tier_ram_free_permille(ts) < LS_TIER_FULL_PERMILLE) return LS_SYNC_FULLNESS;
  if (now - oldest->dirty_since_ms >= (double)ts->o.interval_ms) return LS_SYNC_INTERVAL;
  return LS_SYNC_NONE;
}

/* With the table's lock held: the growth rate of unsynced bytes, for the size trigger. */
static void update_rate(struct ls_tiers *ts, double now) {
  /* bytes that became unsynced so far (truncations and removed files aside) */
  uint64_t grown = atomic_load(&ts->unsynced) + ts->t.bytes_synced;
  double dt = now - ts->rate_last_ms;
  if (dt < LS_TIER_POLL_MS) return;
  double rate = (double)(grown - ts->rate_last_written) / dt;
  ts->rate_bytes_per_ms = ts->rate_last_ms ? 0.7 * ts->rate_bytes_per_ms + 0.3 * rate : rate;
  ts->rate_last_written = grown;
  ts->rate_last_ms = now;
}

struct picked {
  struct ls_tier **items;
  size_t n, cap;
};

static void pick(struct picked *p, struct ls_tier *t) {
  for (size_t i = 0; i < p->n; i++)
    if (p->items[i] == t) return;
  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 64;
    struct ls_tier **grown = realloc(p->items, cap * sizeof(*grown));
    if (!grown) return; /* the next round takes it */
    p->items = grown;
    p->cap = cap;
  }
  t->refs++;
  p->items[p->n++] = t;
}

static int fsync_meta(struct ls_tiers *ts, void *meta, size_t nmeta, bool overflow) {
  struct { dev_t dev; ino_t ino; int fd; } *m = meta;
  int r = 0;
  for (size_t i = 0; i < nmeta; i++) {
    if (fsync(m[i].fd) < 0 && r == 0 && errno != EINVAL) r = -errno;
    close(m[i].fd);
  }
  if (overflow && syncfs(ts->o.disk_root_fd) < 0 && r == 0) r = -errno;
  return r;
}

static void round_run(struct ls_tiers *ts, struct ls_tier_request *reqs, enum ls_sync_trigger auto_trigger, char *buf) {
  double t0 = ls_tier_now_ms();
  double deadline = 1e300;
  bool all = auto_trigger != LS_SYNC_NONE;
  for (struct ls_tier_request *q = reqs; q; q = q->next) {
    all |= q->all;
    if (q->waiting && q->deadline_ms < deadline) deadline = q->deadline_ms;
  }
  struct picked p = {0};
  /* from here, a write to a file served from the disk side hands it to the next round */
  atomic_fetch_add(&ts->rounds, 1);
  pthread_mutex_lock(&ts->lock);
  if (all)
    for (struct ls_tier *t = ts->dirty.dnext; t != &ts->dirty; t = t->dnext) pick(&p, t);
  for (struct ls_tier_request *q = reqs; q; q = q->next) {
    if (q->all) continue;
    struct ls_tier *t = ls_tier_find_locked(ts, q->dev, q->ino);
    if (t) pick(&p, t);
  }
  void *meta = ts->meta;
  size_t nmeta = ts->nmeta;
  bool overflow = ts->meta_overflow;
  ts->meta = NULL;
  ts->nmeta = ts->capmeta = 0;
  ts->meta_overflow = false;
  pthread_mutex_unlock(&ts->lock);

  int first_err = 0;
  uint64_t bytes = 0, written = 0;
  int *results = calloc(p.n ? p.n : 1, sizeof(int));
  uint64_t *synced = calloc(p.n ? p.n : 1, sizeof(uint64_t));
  struct sync_job *jobs = calloc(p.n ? p.n : 1, sizeof(*jobs));
  /* every copy, then every fsync, then every publication (see struct sync_job); without memory
   * for the jobs, one file at a time */
  for (size_t i = 0; i < p.n; i++) {
    struct sync_job one, *j = jobs ? &jobs[i] : &one;
    j->t = p.items[i];
    job_begin(j);
    job_copy(j, buf, deadline, &written);
    if (!jobs) {
      job_durable(j);
      uint64_t b = 0;
      int r = job_finish(ts, j, buf, deadline, &b, &written);
      if (results) results[i] = r;
      if (synced) synced[i] = b;
      bytes += b;
      if (r < 0 && first_err == 0) first_err = r;
    }
  }
  if (jobs) make_all_durable(jobs, p.n);
  for (size_t i = 0; jobs && i < p.n; i++) {
    uint64_t b = 0;
    int r = job_finish(ts, &jobs[i], buf, deadline, &b, &written);
    if (results) results[i] = r;
    if (synced) synced[i] = b;
    bytes += b;
    if (r < 0 && first_err == 0) first_err = r;
  }
  free(jobs);
  int mr = fsync_meta(ts, meta, nmeta, overflow);
  free(meta);
  if (mr < 0 && first_err == 0) first_err = mr;

  double now = ls_tier_now_ms();
  pthread_mutex_lock(&ts->lock);
  ts->t.sync_rounds++;
  ts->t.files_synced += p.n;
  ts->t.bytes_synced += bytes;
  ts->t.disk_bytes_written += written;
  if (auto_trigger != LS_SYNC_NONE) ts->t.syncs[auto_trigger]++;
  for (struct ls_tier_request *q = reqs; q; q = q->next) ts->t.syncs[q->trigger]++;
  struct timespec wall;
  clock_gettime(CLOCK_REALTIME, &wall);
  ts->t.last_sync_wall_ms = (double)wall.tv_sec * 1e3 + (double)wall.tv_nsec / 1e6;
  ts->t.last_sync_duration_ms = now - t0;
  ts->t.sync_ms += now - t0;
  ts->t.last_sync_bytes = bytes;
  ts->last_round_ms = now - t0;
  bool failed = first_err < 0 && first_err != -ETIMEDOUT;
  if (failed) {
    ts->t.sync_errors++;
    ts->t.last_error = -first_err;
    ts->t.healthy = false;
    ts->backoff_ms = ts->backoff_ms ? ts->backoff_ms * 2 : LS_TIER_BACKOFF_MIN_MS;
    if (ts->backoff_ms > LS_TIER_BACKOFF_MAX_MS) ts->backoff_ms = LS_TIER_BACKOFF_MAX_MS;
    ts->backoff_until_ms = now + ts->backoff_ms;
  } else if (first_err == 0) {
    ts->t.healthy = true;
    ts->t.last_error = 0;
    ts->backoff_ms = 0;
    ts->backoff_until_ms = 0;
  }
  atomic_store(&ts->throttle, ts->t.healthy && atomic_load(&ts->unsynced) >= ts->o.max_unsynced);
  for (struct ls_tier_request *q = reqs, *next; q; q = next) {
    next = q->next;
    if (!q->waiting) {
      free(q);
      continue;
    }
    q->result = first_err;
    q->bytes = bytes;
    if (!q->all) {
      q->result = 0;
      q->bytes = 0;
      for (size_t i = 0; i < p.n; i++)
        if (p.items[i]->dev == q->dev && p.items[i]->ino == q->ino) {
          q->result = results ? results[i] : first_err;
          q->bytes = synced ? synced[i] : bytes;
        }
    }
    q->done = true;
  }
  pthread_cond_broadcast(&ts->cond);
  ls_tier_space_fn on_space = ts->on_space;
  void *ctx = ts->on_space_ctx;
  pthread_mutex_unlock(&ts->lock);
  for (size_t i = 0; i < p.n; i++) ls_tier_put(ts, p.items[i]);
  free(p.items);
  free(results);
  free(synced);
  if (on_space) on_space(ctx);
}

static void *sync_main(void *arg) {
  struct ls_tiers *ts = arg;
  char *buf = malloc(LS_TIER_CHUNK);
  pthread_mutex_lock(&ts->lock);
  for (;;) {
    if (ts->stopping) {
      /* nobody waits for the daemon's own requests: they go; the waited-for ones still run */
      for (struct ls_tier_request **p = &ts->requests; *p;) {
        struct ls_tier_request *q = *p;
        if (q->waiting) {
          p = &q->next;
        } else {
          *p = q->next;
          free(q);
        }
      }
      if (!ts->requests) break;
    }
    double now = ls_tier_now_ms();
    update_rate(ts, now);
    enum ls_sync_trigger trigger = buf ? due(ts, now) : LS_SYNC_NONE;
    /* backing off after a failure: only requests someone waits for run (fsync, `logshadow
     * sync`, unmount); the daemon's own wait in the queue, one of each kind */
    struct ls_tier_request *reqs = NULL;
    for (struct ls_tier_request **p = &ts->requests; buf && *p;) {
      struct ls_tier_request *q = *p;
      if (q->waiting || now >= ts->backoff_until_ms) {
        *p = q->next;
        q->next = reqs;
        reqs = q;
      } else {
        p = &q->next;
      }
    }
    if (!reqs && trigger == LS_SYNC_NONE) {
      /* between rounds too: whatever waits for room (parked writes) looks again */
      ls_tier_space_fn on_space = ts->on_space;
      void *ctx = ts->on_space_ctx;
      if (on_space) {
        pthread_mutex_unlock(&ts->lock);
        on_space(ctx);
        pthread_mutex_lock(&ts->lock);
      }
      struct timespec t = abs_in(LS_TIER_POLL_MS);
      pthread_cond_timedwait(&ts->cond, &ts->lock, &t);
      continue;
    }
    pthread_mutex_unlock(&ts->lock);
    round_run(ts, reqs, trigger, buf);
    pthread_mutex_lock(&ts->lock);
  }
  pthread_mutex_unlock(&ts->lock);
  free(buf);
  return NULL;
}

int ls_tier_sync_start(struct ls_tiers *ts, char *err, size_t errlen) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int r = pthread_create(&ts->thread, NULL, sync_main, ts);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (r != 0) {
    snprintf(err, errlen, "cannot start the sync thread: %s", strerror(r));
    return -r;
  }
  ts->thread_started = true;
  return 0;
}

void ls_tiers_hint(struct ls_tiers *ts, dev_t dev, ino_t ino, uint64_t bytes) {
  struct ls_tier *t = ls_tier_find(ts, dev, ino);
  if (!t) return;
  pthread_mutex_lock(&t->lock);
  t->hint_bytes = bytes;
  pthread_mutex_unlock(&t->lock);
  ls_tier_put(ts, t);
}

void ls_tiers_wake(struct ls_tiers *ts) {
  pthread_mutex_lock(&ts->lock);
  pthread_cond_broadcast(&ts->cond);
  pthread_mutex_unlock(&ts->lock);
}

int ls_tiers_sync(struct ls_tiers *ts, bool all, dev_t dev, ino_t ino, enum ls_sync_trigger trigger,
                  bool wait, uint64_t deadline_ms, uint64_t *bytes) {
  struct ls_tier_request local = {.all = all, .dev = dev, .ino = ino, .trigger = trigger, .waiting = true};
  struct ls_tier_request *q = &local;
  if (!wait) {
    q = calloc(1, sizeof(*q));
    if (!q) return -ENOMEM;
    *q = local;
    q->waiting = false;
  }
  q->deadline_ms = ls_tier_now_ms() + (double)deadline_ms;
  pthread_mutex_lock(&ts->lock);
  if (ts->stopping || !ts->thread_started) {
    pthread_mutex_unlock(&ts->lock);
    if (!wait) free(q);
    return -ESHUTDOWN;
  }
  if (!wait) {
    /* the same request already waiting to run is enough (the daemon asks every tick) */
    bool queued = false;
    for (struct ls_tier_request *o = ts->requests; o && !queued; o = o->next)
      queued = !o->waiting && o->all == q->all && (q->all || (o->dev == q->dev && o->ino == q->ino));
    if (!queued) {
      q->next = ts->requests;
      ts->requests = q;
      pthread_cond_broadcast(&ts->cond);
    }
    pthread_mutex_unlock(&ts->lock);
    if (queued) free(q);
    return 0;
  }
  q->next = ts->requests;
  ts->requests = q;
  pthread_cond_broadcast(&ts->cond);
  struct timespec until = abs_in((double)deadline_ms);
  while (!q->done) {
    if (pthread_cond_timedwait(&ts->cond, &ts->lock, &until) != ETIMEDOUT) continue;
    /* not taken by a round yet: withdraw it; taken: the round honours the deadline itself */
    struct ls_tier_request **p = &ts->requests;
    while (*p && *p != q) p = &(*p)->next;
    if (*p) {
      *p = q->next;
      pthread_mutex_unlock(&ts->lock);
      return -ETIMEDOUT;
    }
    until = abs_in(LS_TIER_POLL_MS);
  }
  pthread_mutex_unlock(&ts->lock);
  if (bytes) *bytes = q->bytes;
  return q->result;
}

uint64_t ls_tiers_close(struct ls_tiers *ts, uint64_t deadline_ms) {
  if (ts->thread_started) {
    ls_tiers_sync(ts, true, 0, 0, LS_SYNC_UNMOUNT, true, deadline_ms, NULL);
    pthread_mutex_lock(&ts->lock);
    ts->stopping = true;
    pthread_cond_broadcast(&ts->cond);
    pthread_mutex_unlock(&ts->lock);
    pthread_join(ts->thread, NULL);
    ts->thread_started = false;
  }
  return atomic_load(&ts->unsynced);
}

int ls_tiers_recover(int disk_root_fd, int ram_dir_fd, uint64_t *bytes, char *err, size_t errlen) {
  struct ls_tiers ts;
  struct ls_tier_options o = {
      .disk_root_fd = disk_root_fd, .ram_dir_fd = ram_dir_fd,
      .max_unsynced = UINT64_MAX, .interval_ms = UINT64_MAX / 2, .disk_reserve = false,
  };
  int r = ls_tiers_open(&ts, &o, err, errlen);
  if (r < 0) return r;
  uint64_t found = ts.t.recovered_files;
  uint64_t left = ls_tiers_close(&ts, 10 * 60 * 1000);
  if (bytes) *bytes = ts.t.bytes_synced;
  ls_tiers_destroy(&ts);
  if (left) {
    snprintf(err, errlen, "%llu bytes could not be synced (see the disk's errors); their RAM copies are kept",
             (unsigned long long)left);
    return -EIO;
  }
  return (int)found;
}
