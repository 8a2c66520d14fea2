#include "wire.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

int ls_link_send(int sock, const struct ls_link_header *h, const void *payload, const int *fds, unsigned nfds,
                 int flags) {
  if (nfds > LS_LINK_MAX_FDS || sizeof(*h) + h->len > LS_LINK_MAX_MSG) return -EMSGSIZE;
  struct iovec iov[2] = {{.iov_base = (void *)h, .iov_len = sizeof(*h)},
                         {.iov_base = (void *)payload, .iov_len = h->len}};
  union {
    char buf[CMSG_SPACE(sizeof(int) * LS_LINK_MAX_FDS)];
    struct cmsghdr align;
  } control;
  struct msghdr msg = {.msg_iov = iov, .msg_iovlen = h->len ? 2 : 1};
  if (nfds) {
    memset(&control, 0, sizeof(control));
    msg.msg_control = control.buf;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
  }
  ssize_t n;
  do n = sendmsg(sock, &msg, flags | MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0) return -errno;
  return (size_t)n == sizeof(*h) + h->len ? 0 : -EPROTO;
}

void ls_link_close_fds(int *fds, unsigned nfds) {
  for (unsigned i = 0; i < nfds; i++)
    if (fds[i] >= 0) close(fds[i]);
}

ssize_t ls_link_recv(int sock, struct ls_link_header *h, void *payload, size_t cap, int *fds, unsigned *nfds) {
  *nfds = 0;
  struct iovec iov[2] = {{.iov_base = h, .iov_len = sizeof(*h)}, {.iov_base = payload, .iov_len = cap}};
  union {
    char buf[CMSG_SPACE(sizeof(int) * LS_LINK_MAX_FDS)];
    struct cmsghdr align;
  } control;
  struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2, .msg_control = control.buf, .msg_controllen = sizeof(control.buf)};
  ssize_t n;
  do n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0) return -errno;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    unsigned k = (unsigned)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    for (unsigned i = 0; i < k; i++) {
      int fd;
      memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      if (*nfds < LS_LINK_MAX_FDS)
        fds[(*nfds)++] = fd;
      else
        close(fd);
    }
  }
  if (n == 0) return -ECONNRESET;
  bool whole = (size_t)n >= sizeof(*h) && (size_t)n == sizeof(*h) + h->len && !(msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC));
  if (!whole) {
    ls_link_close_fds(fds, *nfds);
    *nfds = 0;
    return -EPROTO;
  }
  return (ssize_t)h->len;
}
