#include "supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "elog.h"

#define FIRST_BACKOFF_MS 1000.0
#define MAX_BACKOFF_MS 60000.0
/* A daemon attached this long is doing fine: the next failure starts the backoff over. */
#define HEALTHY_MS 60000.0
/* The daemon that started this engine attaches within this long, or one is started. */
#define FIRST_ATTACH_MS 30000.0

void ls_sup_init(struct ls_supervisor *s, char **argv, const char *log_file, double now_ms) {
  *s = (struct ls_supervisor){.argv = argv, .log_file = log_file, .backoff_ms = FIRST_BACKOFF_MS, .due_ms = -1};
  if (argv) s->due_ms = now_ms + FIRST_ATTACH_MS;
}

void ls_sup_attached(struct ls_supervisor *s, double now_ms) {
  s->attached_at_ms = now_ms;
  s->due_ms = -1;
  s->child_pending = false;
}

void ls_sup_lost(struct ls_supervisor *s, double now_ms) {
  if (!s->argv) return;
  if (now_ms - s->attached_at_ms >= HEALTHY_MS) s->backoff_ms = FIRST_BACKOFF_MS;
  s->due_ms = now_ms + s->backoff_ms;
  ls_elog("warn", "the daemon went away: the mount keeps serving; a new daemon starts in %.0f ms", s->backoff_ms);
  s->backoff_ms = s->backoff_ms * 2 > MAX_BACKOFF_MS ? MAX_BACKOFF_MS : s->backoff_ms * 2;
}

void ls_sup_cancel(struct ls_supervisor *s) { s->due_ms = -1; }

double ls_sup_wait_ms(const struct ls_supervisor *s, double now_ms) {
  if (s->due_ms < 0) return -1;
  return s->due_ms > now_ms ? s->due_ms - now_ms : 0;
}

static void reap(struct ls_supervisor *s, double now_ms) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    if (pid != s->child) continue;
    s->child = 0;
    if (!s->child_pending) continue;
    /* it ended without ever attaching (a bad configuration, no memory): try again later */
    s->child_pending = false;
    ls_elog("warn", "the daemon started by the engine (pid %d) exited before attaching (%s %d)", (int)pid,
            WIFSIGNALED(status) ? "signal" : "status", WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    ls_sup_lost(s, now_ms);
  }
}

static void start(struct ls_supervisor *s) {
  pid_t pid = fork();
  if (pid < 0) {
    ls_elog("error", "cannot start a daemon: fork: %s", strerror(errno));
    return;
  }
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    int null = open("/dev/null", O_RDONLY);
    if (null >= 0) dup2(null, STDIN_FILENO);
    int out = s->log_file ? open(s->log_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600) : -1;
    if (out >= 0) {
      dup2(out, STDOUT_FILENO);
      dup2(out, STDERR_FILENO);
    }
    setenv("LOGSHADOW_SUPERVISED", "1", 1);
    execv(s->argv[0], s->argv);
    _exit(127);
  }
  s->child = pid;
  s->child_pending = true;
  s->starts++;
  ls_elog("info", "started a daemon (pid %d) to attach to this engine", (int)pid);
}

void ls_sup_run(struct ls_supervisor *s, bool attached, double now_ms) {
  reap(s, now_ms);
  if (attached || s->due_ms < 0 || now_ms < s->due_ms) return;
  s->due_ms = -1;
  /* one started here is still on its way: it is given until the next due time */
  if (s->child_pending) {
    s->due_ms = now_ms + FIRST_ATTACH_MS;
    return;
  }
  start(s);
}
