/*
 * The engine supervises the daemon: when the attached daemon goes without having asked to (killed,
 * crashed, out of memory), a new one is started with the command line the engine was given, after
 * a backoff that doubles from 1 s to 60 s while daemons keep failing, and resets once one has
 * stayed attached for a minute. The new daemon attaches to this engine (it finds it alive); so can
 * one started by hand meanwhile, which the supervisor then leaves alone.
 */
#ifndef LOGSHADOW_SUPERVISOR_H
#define LOGSHADOW_SUPERVISOR_H

#include <stdbool.h>
#include <sys/types.h>

struct ls_supervisor {
  char **argv;          /* NULL: nobody to start */
  const char *log_file; /* the daemon's output; NULL: the engine's own stderr */
  pid_t child;          /* a daemon started here and not reaped yet; 0: none */
  bool child_pending;   /* it has not attached yet */
  double due_ms;        /* CLOCK_MONOTONIC ms when one is to be started; < 0: none scheduled */
  double backoff_ms;
  double attached_at_ms;
  unsigned starts;      /* daemons started here */
};

void ls_sup_init(struct ls_supervisor *s, char **argv, const char *log_file, double now_ms);
/* A daemon attached: nothing to start while it stays. */
void ls_sup_attached(struct ls_supervisor *s, double now_ms);
/* The attached daemon went without asking to: one is started after the backoff. */
void ls_sup_lost(struct ls_supervisor *s, double now_ms);
/* No daemon is wanted any more (unmounting, stopping). */
void ls_sup_cancel(struct ls_supervisor *s);
/* ms until a start is due (0: now), or -1. */
double ls_sup_wait_ms(const struct ls_supervisor *s, double now_ms);
/* Starts the daemon if one is due and none attached; reaps children (call on SIGCHLD too). */
void ls_sup_run(struct ls_supervisor *s, bool attached, double now_ms);

#endif
