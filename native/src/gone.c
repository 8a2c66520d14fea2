#include "gone.h"

#include <errno.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>

#include "engine.h"

void ls_gone_init(struct ls_engine *e) {
  pthread_mutex_init(&e->gone.lock, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&e->gone.cond, &ca);
  pthread_condattr_destroy(&ca);
}

void ls_gone_destroy(struct ls_engine *e) {
  pthread_cond_destroy(&e->gone.cond);
  pthread_mutex_destroy(&e->gone.lock);
}

bool ls_gone_set_handler(struct ls_engine *e, ls_gone_ask_fn ask, void *ctx) {
  pthread_mutex_lock(&e->gone.lock);
  bool free_slot = !e->gone.ask;
  if (free_slot) {
    e->gone.ask = ask;
    e->gone.ctx = ctx;
  }
  pthread_mutex_unlock(&e->gone.lock);
  return free_slot;
}

void *ls_gone_handler(struct ls_engine *e) {
  pthread_mutex_lock(&e->gone.lock);
  void *ctx = e->gone.ask ? e->gone.ctx : NULL;
  pthread_mutex_unlock(&e->gone.lock);
  return ctx;
}

bool ls_gone_clear_handler(struct ls_engine *e, void *ctx) {
  pthread_mutex_lock(&e->gone.lock);
  bool ours = e->gone.ask && e->gone.ctx == ctx;
  if (ours) {
    e->gone.ask = NULL;
    e->gone.ctx = NULL;
    e->gone.answered = e->gone.asked;
    pthread_cond_broadcast(&e->gone.cond);
  }
  pthread_mutex_unlock(&e->gone.lock);
  return ours;
}

void ls_gone_answered(struct ls_engine *e, uint64_t ticket) {
  pthread_mutex_lock(&e->gone.lock);
  if (ticket > e->gone.answered) e->gone.answered = ticket;
  pthread_cond_broadcast(&e->gone.cond);
  pthread_mutex_unlock(&e->gone.lock);
}

void ls_gone_ask(struct ls_engine *e, dev_t dev, ino_t ino) {
  struct timespec deadline;
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  deadline.tv_nsec += (long)LS_GONE_WAIT_MS * 1000000L;
  deadline.tv_sec += deadline.tv_nsec / 1000000000L;
  deadline.tv_nsec %= 1000000000L;
  pthread_mutex_lock(&e->gone.lock);
  /* asked under the lock, so that clearing the handler (which frees what ask uses) waits */
  uint64_t ticket = ++e->gone.asked;
  bool queued = e->gone.ask && e->gone.ask(e->gone.ctx, dev, ino, ticket);
  while (queued && e->gone.answered < ticket)
    if (pthread_cond_timedwait(&e->gone.cond, &e->gone.lock, &deadline) == ETIMEDOUT) break;
  pthread_mutex_unlock(&e->gone.lock);
}

void ls_gone_after_unlink(struct ls_engine *e, const struct stat *victim) {
  /* nlink as lstat saw it before: only a hint that this was the last name (let_go checks) */
  if (!S_ISREG(victim->st_mode) || victim->st_nlink != 1) return;
  /* a tiered file's tail has nowhere to go now; its RAM copy goes with its last handle */
  if (e->tiers) ls_tiers_file_gone(e->tiers, victim->st_dev, victim->st_ino);
  if (ls_nodes_let_go(&e->nodes, victim->st_dev, victim->st_ino))
    ls_gone_ask(e, victim->st_dev, victim->st_ino);
}

void ls_gone_after_release(struct ls_engine *e, const struct stat *file) {
  /* let_go itself checks that no name is left */
  if (S_ISREG(file->st_mode) && ls_nodes_let_go(&e->nodes, file->st_dev, file->st_ino))
    ls_gone_ask(e, file->st_dev, file->st_ino);
}
