/*
 * The tiered mount: every regular file is a durable head on disk and an unsynced tail in RAM.
 *
 * A file's bytes [0, synced) are in its disk copy, which has the file's name (the disk directory
 * is the namespace: names and metadata live there). The bytes from `synced` to the end are in its
 * RAM copy, a file in a tmpfs directory that no application sees, named after the disk file's
 * handle (name_to_handle_at), so that renames and links can never tie a RAM copy to another
 * file, and a RAM copy left by a process that died finds its disk file again. The RAM copy keeps
 * the file's logical size; its head is punched out once synced, so RAM holds the unsynced tails
 * and little else.
 *
 * Writes at or above `synced` go to the RAM copy; a write below it (rare for logs) goes through
 * to the disk copy. A sync copies [synced, size) to the disk copy, makes it durable, publishes
 * the new `synced`, then punches the RAM copy below it. Reads below `synced` come from the disk
 * copy, the rest from RAM, and a read that raced a publication re-reads from disk whatever the
 * publication moved below the boundary (see ls_tier_read): no reader ever sees a punched hole.
 *
 * The recovery rule. A disk copy only ever grows by a sync appending to the same inode, in
 * order, or shrinks by a truncation that was applied to the RAM copy first. So at any instant,
 * a crash leaves each disk file a prefix of what was written to that file (the RAM copy, keyed
 * by the disk inode's handle, follows the inode through renames). After a power cut the RAM side
 * is gone and the disk side is that prefix. After a process death the RAM side is still there:
 * the next start adopts each RAM copy (ls_tiers_open), takes `synced` to be its disk copy's
 * length (whatever a sync had copied is correct data, durable or not yet), and completes a
 * truncation the disk copy had not received (RAM copy shorter than disk copy).
 *
 * Lock order: a tier's `lock` before the table's `lock`; never the other way round. Neither is
 * held across a call into libfuse. The write path takes only its file's `lock`.
 */
#ifndef LOGSHADOW_TIER_H
#define LOGSHADOW_TIER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* The RAM copy's name: the disk handle's type and bytes in hex. */
#define LS_TIER_NAME_MAX 256

enum ls_sync_trigger {
  LS_SYNC_INTERVAL,
  LS_SYNC_SIZE,     /* the unsynced total is about to pass max_unsynced */
  LS_SYNC_FULLNESS, /* the RAM side is filling */
  LS_SYNC_SEVERITY, /* asked for a file by the daemon: a line at or above --sync-on */
  LS_SYNC_FORECAST, /* asked by the daemon: its forecast says a limit is near */
  LS_SYNC_FSYNC,    /* an application's fsync */
  LS_SYNC_REQUEST,  /* `logshadow sync` */
  LS_SYNC_UNMOUNT,
  LS_SYNC_TRIGGER_COUNT
};

extern const char *const ls_sync_trigger_names[LS_SYNC_TRIGGER_COUNT];

struct ls_tier {
  /* under the table's lock; `dirty` and `gone` change only with the tier's lock held too, so
   * either lock is enough to read them */
  struct ls_tier *hnext;
  struct ls_tier *dnext, *dprev; /* the dirty list: on it while it has unsynced bytes */
  bool dirty;
  bool gone;                     /* its disk file has no name left: nothing to keep or sync */
  uint32_t refs;                 /* open handles, plus the sync thread while it works on it */
  dev_t dev;
  ino_t ino;

  pthread_mutex_t lock; /* the file's data lock (see the lock order above) */
  /* under lock (ram_fd and synced are also read without it) */
  _Atomic int ram_fd;       /* O_RDWR; -1 until a writer needed one */
  int disk_fd;              /* O_RDWR on the disk inode */
  _Atomic uint64_t synced;  /* [0, synced) is in the disk copy */
  uint64_t size;            /* the logical size */
  uint64_t gen;             /* bumped by every truncation: a sync in flight is void */
  uint64_t sync_to;         /* a sync is copying up to here; 0: none */
  bool rewritten;           /* a write landed below sync_to while it copied */
  bool disk_dirty;          /* written through below synced: its disk copy needs an fsync */
  double dirty_since_ms;    /* CLOCK_MONOTONIC ms when its oldest unsynced byte landed */
  uint64_t reserved_to;     /* disk extents reserved (KEEP_SIZE) up to here */
  uint64_t last_sync_bytes; /* what the last sync of it copied */
  uint64_t hint_bytes;      /* the daemon's forecast of what it gets between two syncs; 0: none */
  char name[LS_TIER_NAME_MAX];
};

struct ls_tier_options {
  int disk_root_fd;      /* the disk directory (O_PATH will do) */
  int handle_root_fd;    /* set by ls_tiers_open: the same, openable, for open_by_handle_at */
  int ram_dir_fd;        /* the RAM directory (a tmpfs), O_RDONLY | O_DIRECTORY */
  uint64_t max_unsynced; /* the unsynced total the syncs keep under; writers wait above it */
  uint64_t interval_ms;  /* sync everything at least this often */
  bool disk_reserve;     /* reserve disk extents ahead of each disk copy's end */
};

struct ls_tier_totals {
  uint64_t unsynced_bytes;
  uint64_t files;            /* tiers in the table */
  uint64_t dirty_files;
  double oldest_unsynced_ms; /* age of the oldest unsynced byte; 0: none */
  uint64_t syncs[LS_SYNC_TRIGGER_COUNT];
  uint64_t sync_rounds;
  uint64_t files_synced;
  uint64_t bytes_synced;      /* tail bytes copied to the disk side and made durable */
  uint64_t disk_bytes_written; /* everything written to disk copies, re-copies and write-through included */
  uint64_t bytes_written;      /* bytes applications wrote into tiered files */
  uint64_t write_through_bytes;
  uint64_t sync_errors;
  int last_error;              /* errno of the last failed sync; 0 after a success */
  bool healthy;                /* the last sync attempt succeeded (or none failed yet) */
  double last_sync_wall_ms;    /* CLOCK_REALTIME of the last completed round; 0: none */
  double last_sync_duration_ms;
  double sync_ms;              /* time spent in sync rounds, all told */
  uint64_t last_sync_bytes;
  uint64_t recovered_files;    /* RAM copies adopted at start */
  uint64_t unadopted;          /* RAM copies left in place: their disk file could not be opened */
  uint64_t recovered_bytes;    /* unsynced bytes they held */
  uint64_t throttled_writes;   /* writes that waited for a sync */
  uint64_t throttled_now;
  double throttled_ms;         /* total time writes waited */
  uint64_t reserved_disk_bytes; /* disk extents reserved past the synced ends now */
  uint64_t ram_copies_dropped; /* RAM copies removed once synced and closed */
};

/* One file's state for stats. */
struct ls_tier_file {
  dev_t dev;
  ino_t ino;
  uint64_t size, synced, unsynced;
  double unsynced_age_ms;
  int disk_fd; /* for the caller to name it (readlink of /proc/self/fd); valid while the table lock is not released: copy it */
};

typedef void (*ls_tier_space_fn)(void *ctx);

struct ls_tier_request; /* a sync someone waits for (sync.c) */

struct ls_tiers {
  struct ls_tier_options o;
  pthread_mutex_t lock; /* the table, the dirty list, requests, totals */
  pthread_cond_t cond;  /* CLOCK_MONOTONIC: wakes the sync thread and those who wait on it */
  struct ls_tier **buckets;
  size_t nbuckets;
  size_t count;
  struct ls_tier dirty; /* list head */
  _Atomic uint64_t unsynced; /* sum over tiers of size - synced */
  _Atomic bool throttle;     /* writers wait: unsynced is at max_unsynced and the sync is healthy */
  _Atomic uint64_t rounds;   /* sync rounds begun */

  /* the sync thread */
  pthread_t thread;
  bool thread_started;
  bool stopping;
  struct ls_tier_request *requests;
  uint64_t round;          /* rounds completed */
  double next_interval_ms; /* when the interval trigger fires next */
  double backoff_until_ms; /* after a failure, no automatic round before this */
  double backoff_ms;
  double rate_bytes_per_ms; /* EWMA of the growth of `unsynced`, for the size trigger */
  uint64_t rate_last_written;
  double rate_last_ms;
  double last_round_ms;     /* how long the last round took: the size trigger starts that early */

  /* inodes whose metadata or names changed (directories of creates, renames, unlinks): fsynced
   * at the next round */
  struct { dev_t dev; ino_t ino; int fd; } *meta;
  size_t nmeta, capmeta;
  bool meta_overflow; /* too many: the round calls syncfs instead */

  ls_tier_space_fn on_space;
  void *on_space_ctx;

  struct ls_tier_totals t; /* under lock, except what is atomic above */
  _Atomic uint64_t bytes_written;
  _Atomic uint64_t write_through_bytes;
};

/*
 * Opens the tier table over a RAM directory and a disk filesystem and adopts every RAM copy a
 * previous process left (see the recovery rule). Starts the sync thread. 0 or -errno (with a
 * message in err).
 */
int ls_tiers_open(struct ls_tiers *ts, const struct ls_tier_options *o, char *err, size_t errlen);
/* Sets the function called (on the sync thread, no lock held) after a sync freed room. */
void ls_tiers_on_space(struct ls_tiers *ts, ls_tier_space_fn fn, void *ctx);
/*
 * The final sync, bounded by deadline_ms (from now), then stops the sync thread. Returns the
 * unsynced bytes left in RAM (0: everything is on disk; the RAM directory holds nothing).
 */
uint64_t ls_tiers_close(struct ls_tiers *ts, uint64_t deadline_ms);
/* Once no operation can run any more (the loop has stopped, the final sync is over): lets go of
 * the RAM side. The RAM copies whose tails are all synced, or whose files are gone, are removed,
 * so that the RAM directory holds exactly what is left to sync, and no descriptor on it stays
 * open (its tmpfs can then be unmounted). */
void ls_tiers_release(struct ls_tiers *ts);
/* Frees everything; only after ls_tiers_close and once no operation can run. */
void ls_tiers_destroy(struct ls_tiers *ts);

/*
 * The tier of the disk file behind disk_fd (an O_RDWR or O_RDONLY descriptor of it), with one
 * reference for the caller. With `for_writing`, a RAM copy is made if there is none. NULL with
 * *err set: -ENOTSUP when the file cannot be tiered (no handle for it: it is then served from
 * the disk directly), or -errno.
 */
struct ls_tier *ls_tier_get(struct ls_tiers *ts, int disk_fd, bool for_writing, int *err);
/* The tier of (dev, ino) if there is one, with a reference; NULL otherwise. */
struct ls_tier *ls_tier_find(struct ls_tiers *ts, dev_t dev, ino_t ino);
void ls_tier_put(struct ls_tiers *ts, struct ls_tier *t);

/* The data path. Each returns bytes or -errno; no allocation. */
ssize_t ls_tier_write(struct ls_tiers *ts, struct ls_tier *t, const void *buf, size_t len, uint64_t off);
ssize_t ls_tier_read(struct ls_tier *t, void *buf, size_t len, uint64_t off);
int ls_tier_truncate(struct ls_tiers *ts, struct ls_tier *t, uint64_t size);
/* fallocate(2) modes 0 and KEEP_SIZE on the tail; others are refused (EOPNOTSUPP). */
int ls_tier_fallocate(struct ls_tiers *ts, struct ls_tier *t, int mode, uint64_t off, uint64_t len);
/* SEEK_DATA / SEEK_HOLE across both copies. */
int64_t ls_tier_seek(struct ls_tier *t, int64_t off, int whence);
/* Replaces the disk copy's size, mtime, ctime and blocks in *st with the file's own. */
void ls_tier_stat(struct ls_tier *t, struct stat *st);

/* Whether a write should wait for a sync (see ls_tiers.throttle). */
static inline bool ls_tiers_throttled(struct ls_tiers *ts) {
  return atomic_load_explicit(&ts->throttle, memory_order_relaxed);
}
void ls_tiers_count_throttled(struct ls_tiers *ts, double waited_ms, int delta_now);
/* Wakes the sync thread to look at its triggers now. */
void ls_tiers_wake(struct ls_tiers *ts);
/* Whether a write that found the RAM side full should wait for a sync rather than fail: the
 * syncs are healthy and there is something to sync. Wakes the sync thread if so. */
bool ls_tiers_may_wait(struct ls_tiers *ts);

/*
 * Syncs (dev, ino), or every file when all is set, for `trigger`. With wait, returns once
 * that sync has ended (0 or the -errno of its failure) or deadline_ms passed (-ETIMEDOUT);
 * without, returns 0 at once. *bytes (if given) gets what the sync copied.
 */
int ls_tiers_sync(struct ls_tiers *ts, bool all, dev_t dev, ino_t ino, enum ls_sync_trigger trigger,
                  bool wait, uint64_t deadline_ms, uint64_t *bytes);
/* The daemon's forecast of the bytes (dev, ino) gets between two syncs: sizes its disk
 * reservation (see reserve_ahead in sync.c). */
void ls_tiers_hint(struct ls_tiers *ts, dev_t dev, ino_t ino, uint64_t bytes);
/* The file (dev, ino) has lost its last name: its tail has nowhere to go. */
void ls_tiers_file_gone(struct ls_tiers *ts, dev_t dev, ino_t ino);
/* The object behind opath_fd changed names or metadata: fsync it at the next round. */
void ls_tiers_meta_dirty(struct ls_tiers *ts, int opath_fd);

void ls_tiers_totals(struct ls_tiers *ts, struct ls_tier_totals *out);
/* Up to max dirty files, most unsynced first; returns how many. Names: ls_tier_file.disk_fd is
 * a dup the caller closes. */
size_t ls_tiers_files(struct ls_tiers *ts, struct ls_tier_file *out, size_t max);

/* Sync an orphaned RAM directory into its disk side without mounting (`logshadow recover`):
 * adopts, syncs and removes every RAM copy. Returns files recovered or -errno. */
int ls_tiers_recover(int disk_root_fd, int ram_dir_fd, uint64_t *bytes, char *err, size_t errlen);

double ls_tier_now_ms(void);

#endif
