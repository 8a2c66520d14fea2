/*
 * The engine process's side of the link (link/protocol.h): one thread polls the listening socket,
 * the connections, the signals and the end of the FUSE loop, and answers requests. Requests that
 * wait (a sync that must be durable, the unmount with its final sync) run on a thread of their
 * own and answer from there. The FUSE threads send the file-gone questions to the attached daemon
 * themselves, without waiting for the socket (gone.h).
 */
#ifndef LOGSHADOW_SERVER_H
#define LOGSHADOW_SERVER_H

#include <signal.h>
#include <stdbool.h>

#include "supervisor.h"

struct ls_engine;

struct ls_server_options {
  const char *socket_path;
  const char *pid_file;   /* removed at exit; NULL: none */
  const char *ram_dir;    /* tiered: the RAM directory, taken down at exit when it holds no tail */
  int backing_fd;         /* handed to the daemon that attaches */
  int ram_dir_fd;         /* tiered: the same; -1 */
  double term_grace_ms;   /* how long an attached daemon gets to unmount after SIGTERM */
  int ready_fd;           /* told "ready" once the link is served; -1: nobody waits */
};

/* Tells whoever started the engine how the start went, on ready_fd (then closed): "ready", or
 * "error <ERRNO NAME> <message>". Defined in main.c. */
__attribute__((format(printf, 3, 4))) void ls_engine_ready(int ready_fd, int err, const char *fmt, ...);

/* The signals the server takes from a signalfd: block them in every thread before any starts. */
void ls_server_signals(sigset_t *set);

/* Serves until the engine is done (unmounted and left, or stopped by a signal); returns the
 * process's exit status. */
int ls_server_run(struct ls_engine *e, const struct ls_server_options *o, struct ls_supervisor *sup);

#endif
