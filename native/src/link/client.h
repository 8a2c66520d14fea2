/*
 * The client end of the link (protocol.h), without N-API: a connection, one reader thread that
 * takes every packet off the socket, and calls that either wait for their reply (the caller's
 * thread blocks, bounded) or are answered later through a callback on the reader thread. Packets
 * the engine sends unasked go to another callback, also on the reader thread.
 */
#ifndef LOGSHADOW_LINK_CLIENT_H
#define LOGSHADOW_LINK_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "protocol.h"

struct ls_msg {
  struct ls_link_header h;
  void *payload; /* malloc'd, h.len bytes */
  int fds[LS_LINK_MAX_FDS];
  unsigned nfds;
};

/* Frees the payload and closes the descriptors still in it (set an entry to -1 to keep it). */
void ls_msg_dispose(struct ls_msg *m);

struct ls_client;

/* On the reader thread. `m` is the callee's (ls_msg_dispose it); NULL when the connection ended
 * (then `status` is -ECONNRESET or the receive error). */
typedef void (*ls_client_fn)(void *ctx, struct ls_msg *m, int status);

/* Connects to the engine's socket: 0 or -errno. */
int ls_client_connect(const char *path, struct ls_client **out);
/* Starts the reader thread; unasked packets (and the end of the connection) go to `unasked`. */
int ls_client_start(struct ls_client *c, ls_client_fn unasked, void *ctx);
/* Sends a request and waits up to timeout_ms for its reply (into *reply, the caller's to
 * dispose). 0 with the reply's status in reply->h.status, or -errno (-ETIMEDOUT, -ECONNRESET).
 * Before ls_client_start it reads the reply itself. */
int ls_client_call(struct ls_client *c, uint16_t op, const void *payload, size_t len, const int *fds, unsigned nfds,
                   struct ls_msg *reply, int timeout_ms);
/* Sends a request whose reply goes to fn (on the reader thread). 0 or -errno (fn is then not called). */
int ls_client_call_async(struct ls_client *c, uint16_t op, const void *payload, size_t len, ls_client_fn fn,
                         void *ctx);
/* Sends a request that has no reply. */
int ls_client_send(struct ls_client *c, uint16_t op, const void *payload, size_t len);
/* Ends the connection: waiting calls fail, the reader thread ends (joined), the socket closes.
 * Asynchronous calls still pending get their callback with NULL. */
void ls_client_close(struct ls_client *c);

#endif
