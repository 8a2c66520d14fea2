/*
 * The link between the engine process and the daemon (or a CLI command) that talks to it: a Unix
 * SOCK_SEQPACKET socket in the run directory, owner-only, root's. Each message is one packet: a
 * header, a payload of the structs below and, where said, descriptors (SCM_RIGHTS). Both ends are
 * built from this header; HELLO checks the version and the struct sizes, so two builds that
 * disagree refuse each other instead of misreading.
 *
 * A request carries an id; its reply carries the same id and op | LS_LINK_REPLY, and a status (0
 * or -errno). Some requests have no reply (marked below). The engine also sends unasked messages
 * (GONE, LOOP_ENDED) to the attached daemon. One daemon is attached at a time ("consumer": it
 * drains the ring and the file events, and answers the file-gone questions); observers (CLI
 * commands) may connect beside it for status, syncs and unmounting.
 */
#ifndef LOGSHADOW_LINK_PROTOCOL_H
#define LOGSHADOW_LINK_PROTOCOL_H

#include <stdbool.h>
#include <stdint.h>

#define LS_LINK_VERSION 1u
/* One packet, header included: under the default socket buffer (wmem_default, 208 KiB). */
#define LS_LINK_MAX_MSG (128u * 1024u)
/* Descriptors in one packet (the kernel's SCM_MAX_FD is 253). */
#define LS_LINK_MAX_FDS 64u

enum ls_link_op {
  /* client to engine */
  LS_LINK_HELLO = 1,         /* ls_link_hello -> ls_link_welcome (+ shared memory, backing, RAM dir fds for a consumer) */
  LS_LINK_DRAIN = 2,         /* -> packed ls_link_event records (+ their fds); LS_LINK_MORE while more wait */
  LS_LINK_PUNCH = 3,         /* ls_link_punch + the descriptor to punch through -> status */
  LS_LINK_CONSUMER_DONE = 4, /* ls_link_file (handle = the last open); no reply */
  LS_LINK_GONE_ANSWER = 5,   /* ls_link_gone (ticket); no reply */
  LS_LINK_SYNC = 6,          /* ls_link_sync -> ls_link_synced (no reply unless wait) */
  LS_LINK_HINT = 7,          /* ls_link_file (bytes = the forecast); no reply */
  LS_LINK_TIER_STATS = 8,    /* ls_link_file (handle = most files listed) -> ls_link_tier_stats, then entries */
  LS_LINK_UNMOUNT = 9,       /* -> ls_link_unmounted */
  LS_LINK_STATUS = 10,       /* -> ls_link_status, then the mountpoint */
  /* engine to the consumer, unasked */
  LS_LINK_GONE = 64,         /* ls_link_gone: let go of (dev, ino), then answer with the ticket */
  LS_LINK_LOOP_ENDED = 65,   /* the mount went away (unmounted from outside); no payload */
};

#define LS_LINK_REPLY 0x8000u
#define LS_LINK_MORE 0x1u /* header flag of a DRAIN reply */

struct ls_link_header {
  uint16_t op;
  uint16_t flags;
  uint32_t id;
  int32_t status; /* replies: 0 or -errno */
  uint32_t len;   /* payload bytes after the header */
};

enum ls_link_role { LS_LINK_CONSUMER = 1, LS_LINK_OBSERVER = 2 };

struct ls_link_hello {
  uint32_t version;
  uint32_t role;
  uint32_t counters_bytes; /* sizeof(struct ls_counters) as the client was built */
  uint32_t totals_bytes;   /* sizeof(struct ls_tier_totals) */
};

#define LS_LINK_TIERED 0x1u
#define LS_LINK_WRITEBACK 0x2u
#define LS_LINK_XATTR 0x4u
#define LS_LINK_ENDED 0x8u      /* the loop has ended: nothing is served any more */
#define LS_LINK_UNMOUNTED 0x10u /* an unmount was asked for and has run */

struct ls_link_welcome {
  uint32_t version;
  uint32_t flags;        /* LS_LINK_TIERED ... */
  uint32_t ring_head;    /* a consumer's view begins here (attach.h) */
  uint32_t max_write;
  int32_t engine_pid;
  int32_t consumer_pid;  /* the daemon attached (with -EBUSY: the one already attached) */
  uint32_t fds;          /* descriptors sent: shared memory, backing directory, RAM directory */
  uint32_t reserved;
  char device[32];       /* "major:minor" of the mount */
};

/* DRAIN: one record per event, then its path and path2 bytes (no terminator), padded to 8. */
struct ls_link_event {
  uint8_t kind; /* enum ls_event_kind */
  uint8_t created;
  uint8_t fds;  /* bit 0: a read descriptor follows in the packet's descriptors, bit 1: a disk one */
  uint8_t reserved;
  uint32_t handle;
  uint32_t ring_pos;
  int32_t pid;
  int32_t flags;
  uint16_t path_len;
  uint16_t path2_len;
  uint64_t size;
  char comm[16];
};

struct ls_link_file {
  uint64_t dev;
  uint64_t ino;
  uint64_t value; /* CONSUMER_DONE: the last open's handle; HINT: bytes; TIER_STATS: most files */
};

struct ls_link_punch {
  uint64_t dev;
  uint64_t ino;
  uint64_t offset;
  uint64_t length;
};

struct ls_link_gone {
  uint64_t dev;
  uint64_t ino;
  uint64_t ticket;
};

struct ls_link_sync {
  uint64_t dev;
  uint64_t ino;
  uint64_t timeout_ms;
  uint32_t all;
  uint32_t trigger; /* enum ls_sync_trigger */
  uint32_t wait;
  uint32_t reserved;
};

struct ls_link_synced {
  int32_t result; /* 0 or -errno */
  uint32_t reserved;
  uint64_t bytes;
  double ms;
};

/* TIER_STATS: the totals as the engine keeps them (struct ls_tier_totals, whose size HELLO
 * checked) follow this, then `files` ls_link_tier_file records, each followed by its path. */
struct ls_link_tier_stats {
  uint32_t files;
  uint32_t reserved;
};

struct ls_link_tier_file {
  uint64_t dev;
  uint64_t ino;
  uint64_t size;
  uint64_t synced;
  uint64_t unsynced;
  double unsynced_age_ms;
  uint32_t path_len;
  uint32_t reserved;
};

struct ls_link_unmounted {
  uint8_t was_mounted;
  uint8_t lazy;
  uint8_t stopped;
  uint8_t reserved;
  int32_t error;
  uint64_t unsynced_left;
};

struct ls_link_status {
  int32_t engine_pid;
  int32_t consumer_pid;        /* 0: no daemon attached */
  uint32_t flags;              /* LS_LINK_TIERED ... */
  uint32_t restarts;           /* daemons the supervisor started after the first */
  double detached_ms;          /* how long no daemon has been attached (0 while one is) */
  double next_restart_ms;      /* when the supervisor starts one, from now; -1: it will not */
  uint64_t writes;
  uint64_t bytes_written;
  uint64_t unsynced_bytes;
  uint64_t attaches;
};

/* Payload structs keep 8-byte alignment, so a packet can be walked record by record. */
_Static_assert(sizeof(struct ls_link_event) % 8 == 0, "event alignment");
_Static_assert(sizeof(struct ls_link_tier_file) % 8 == 0, "tier file alignment");
_Static_assert(sizeof(struct ls_link_header) % 8 == 0, "header alignment");

#endif
