/*
 * The inode table of the low-level API. Every object the kernel knows of is held by an O_PATH
 * descriptor opened one name at a time with O_NOFOLLOW, so no operation ever resolves a path in
 * the backing directory: nothing can be made to follow a symlink on a caller's behalf, and an
 * object that was unlinked while open still answers getattr (the kernel's fstat carries no
 * file handle). The node's address is its FUSE node id; the root is FUSE_ROOT_ID.
 */
#ifndef LOGSHADOW_NODES_H
#define LOGSHADOW_NODES_H

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

struct ls_engine;

struct ls_node {
  struct ls_node *next; /* hash chain */
  int fd;               /* O_PATH | O_NOFOLLOW */
  dev_t dev;
  ino_t ino;
  mode_t type;          /* S_IFMT bits: an inode never changes type */
  uint64_t nlookup;     /* the kernel's references (lookup count) */
  uint32_t writers;     /* handles open for writing (under the table's lock) */
  uint32_t handles;     /* handles open at all (under the table's lock) */
  bool told;            /* an open event went to the consumer, which may hold descriptors */
  uint32_t last_open;   /* the handle id of the latest open event */
  bool let_go;          /* its file is gone and fd points at the placeholder (ls_nodes_let_go) */
  /* tiered: the file's tier while any handle is open (one reference, under the table's lock);
   * the data path reads it without the lock, since a handle keeps it in place */
  struct ls_tier *tier;
  /* tiered, served from the disk side: the sync round its writes were last handed to for fsync */
  _Atomic uint64_t direct_round;
};

struct ls_nodes {
  pthread_mutex_t lock;
  struct ls_node **buckets;
  size_t nbuckets;
  size_t count;
  int placeholder_fd; /* O_PATH of an unnamed empty file, or -1 */
  struct ls_node root;
};

int ls_nodes_init(struct ls_nodes *t, int root_fd);
/* Closes every node's descriptor; only once no request can run. */
void ls_nodes_destroy(struct ls_nodes *t);

struct ls_node *ls_node_of(struct ls_engine *e, fuse_ino_t ino);
/* An empty fuse_entry_param carrying the engine's timeouts. */
void ls_entry_init(struct ls_engine *e, struct fuse_entry_param *ep);
/* Looks `name` up under `parent` without following it and counts one kernel reference. */
int ls_nodes_lookup(struct ls_engine *e, struct ls_node *parent, const char *name,
                    struct fuse_entry_param *ep);
/* Registers the object behind `opath_fd` (consumed, also on error) and counts one reference. */
int ls_nodes_adopt(struct ls_engine *e, int opath_fd, struct fuse_entry_param *ep);
void ls_nodes_forget(struct ls_engine *e, fuse_ino_t ino, uint64_t nlookup);
/* Handle `id` on `ino` was opened (and its open event is queued for the consumer next); -ENOENT
 * if the node has let go of its file (ls_nodes_let_go). A tier in *tier becomes the node's if it
 * has none (*tier is then NULL); what is left in *tier is the caller's to put. */
int ls_nodes_opened(struct ls_engine *e, fuse_ino_t ino, bool writer, uint32_t id, struct ls_tier **tier);
/* The consumer holds nothing on (dev, ino) any more, as of the open event of handle `last_open`:
 * nothing to ask it about the file (gone.h) unless it is opened again. A stale answer (the file
 * was opened again since) is ignored. */
void ls_nodes_consumer_done(struct ls_nodes *t, dev_t dev, ino_t ino, uint32_t last_open);
/* A consumer that attached was told of handle `id` on (dev, ino) (attach.h). */
void ls_nodes_mark_told(struct ls_nodes *t, dev_t dev, ino_t ino, uint32_t id);
/* Whether the consumer may hold descriptors on (dev, ino): it was told of an open it has not
 * answered with ls_nodes_consumer_done. */
bool ls_nodes_told(struct ls_nodes *t, dev_t dev, ino_t ino);
/* A handle on `ino` was released; true if it was the last one, and then *tier gets the node's tier
 * (the caller puts it). */
bool ls_nodes_released(struct ls_engine *e, fuse_ino_t ino, bool writer, struct ls_tier **tier);
/*
 * The file (dev, ino) has lost its last name. If no handle has it open, the kernel will forget
 * its node soon, but until then the node's O_PATH descriptor would keep the file's blocks
 * allocated, and a write right after `rm` could fail with ENOSPC: the descriptor is pointed at
 * an unnamed empty placeholder instead, and the node is no longer found by inode number. Returns
 * whether the consumer was told of the file (its descriptors may then be all that keeps it).
 */
bool ls_nodes_let_go(struct ls_nodes *t, dev_t dev, ino_t ino);
/*
 * Punches [offset, offset + length) out of the file (dev, ino) through `fd`, but only while no
 * handle has it open for writing, and never below its end of file as measured under the lock: a
 * writer cannot appear meanwhile (opening one takes the same lock), so the punch can never zero
 * bytes an append is landing nor one that landed after the caller measured the size. Returns 0,
 * -EBUSY while a writer has it open, or -errno.
 */
int ls_nodes_punch_if_idle(struct ls_nodes *t, dev_t dev, ino_t ino, int fd, off_t offset, off_t length);

#endif
