/* Sending and receiving one packet of the link (protocol.h), descriptors included. */
#ifndef LOGSHADOW_LINK_WIRE_H
#define LOGSHADOW_LINK_WIRE_H

#include <stddef.h>
#include <sys/types.h>

#include "protocol.h"

/* Sends header + payload (h->len bytes) + nfds descriptors as one packet; `flags` go to sendmsg
 * (MSG_NOSIGNAL is always added). 0 or -errno. The descriptors stay the caller's. */
int ls_link_send(int sock, const struct ls_link_header *h, const void *payload, const int *fds, unsigned nfds,
                 int flags);
/* Receives one packet: the header into *h, up to `cap` payload bytes into `payload`, its
 * descriptors into fds (at most LS_LINK_MAX_FDS; *nfds says how many, each now the caller's).
 * Returns the payload length, -ECONNRESET when the peer has gone, -EPROTO for a packet that does
 * not hold together (its descriptors are closed), or -errno. */
ssize_t ls_link_recv(int sock, struct ls_link_header *h, void *payload, size_t cap, int *fds, unsigned *nfds);
/* Closes what ls_link_recv handed over and nobody took. */
void ls_link_close_fds(int *fds, unsigned nfds);

#endif
