/*
 * The engine's counters: one per FUSE operation and error, and the data path's own. They live in
 * the memory the engine shares with the daemon (shared.h), which reads them without asking.
 */
#ifndef LOGSHADOW_COUNTERS_H
#define LOGSHADOW_COUNTERS_H

#include <stdatomic.h>
#include <stdint.h>

#define LS_OPS(X)                                                                              \
  X(INIT, "init") X(LOOKUP, "lookup") X(FORGET, "forget") X(GETATTR, "getattr")                \
  X(SETATTR, "setattr") X(READLINK, "readlink") X(MKNOD, "mknod") X(MKDIR, "mkdir")           \
  X(UNLINK, "unlink") X(RMDIR, "rmdir") X(SYMLINK, "symlink") X(RENAME, "rename")             \
  X(LINK, "link") X(OPEN, "open") X(READ, "read") X(WRITE, "write") X(FLUSH, "flush")         \
  X(RELEASE, "release") X(FSYNC, "fsync") X(OPENDIR, "opendir") X(READDIR, "readdir")         \
  X(RELEASEDIR, "releasedir") X(FSYNCDIR, "fsyncdir") X(STATFS, "statfs")                     \
  X(SETXATTR, "setxattr") X(GETXATTR, "getxattr") X(LISTXATTR, "listxattr")                   \
  X(REMOVEXATTR, "removexattr") X(ACCESS, "access") X(CREATE, "create")                       \
  X(FALLOCATE, "fallocate") X(LSEEK, "lseek")

enum ls_op {
#define LS_OP_ENUM(id, name) LS_OP_##id,
  LS_OPS(LS_OP_ENUM)
#undef LS_OP_ENUM
  LS_OP_COUNT
};

extern const char *const ls_op_names[LS_OP_COUNT];

struct ls_counters {
  _Atomic uint64_t ops[LS_OP_COUNT]; /* ops[WRITE] is derived: writes + errors[WRITE] */
  _Atomic uint64_t errors[LS_OP_COUNT];
  /* the data path's own line, away from the rarer counters */
  _Alignas(64) _Atomic uint64_t writes;
  _Atomic uint64_t bytes_written;
  _Atomic uint64_t largest_write;
  _Alignas(64) _Atomic uint64_t file_events_dropped;
  /* File events ever queued for the daemon: one that finds it unchanged since its last drain
   * knows the queue is empty without a round trip to the engine */
  _Atomic uint64_t file_events_queued;
};

#endif
