/*
 * Files that are gone but for the consumer's descriptors (the whole protocol, both engines and
 * the JavaScript side: docs/architecture.md, "The file-gone protocol"). The consumer (the
 * profiler and the pre-allocator) holds descriptors on backing files: the read descriptor of
 * each open event, and the descriptor a reservation is made through. Once a file has lost its
 * last name and its last handle, those descriptors are all that keeps its blocks, and the
 * consumer would only close them on its next tick: `rm big.log` on a full tmpfs would leave it
 * full for up to a tick, and the next write would fail with ENOSPC. So the operation that lets
 * such a file go (unlink, rename over it, the last release) asks the consumer, on its own
 * thread, to let go now, and waits for the answer, bounded (LS_GONE_WAIT_MS): a consumer that is
 * busy or gone costs that operation a delay, never a hang.
 */
#ifndef LOGSHADOW_GONE_H
#define LOGSHADOW_GONE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

struct ls_engine;

#define LS_GONE_WAIT_MS 250

/* Queues the question (dev, ino, ticket) to the consumer's thread without blocking; false if it
 * cannot be asked (the consumer is going away). The consumer answers with ls_gone_answered. */
typedef bool (*ls_gone_ask_fn)(void *ctx, dev_t dev, ino_t ino, uint64_t ticket);

void ls_gone_init(struct ls_engine *e);
void ls_gone_destroy(struct ls_engine *e);
/* From now on, files that go are reported through `ask`; false if a handler is already set. */
bool ls_gone_set_handler(struct ls_engine *e, ls_gone_ask_fn ask, void *ctx);
/* The ctx of the handler set, or NULL. */
void *ls_gone_handler(struct ls_engine *e);
/* If `ctx`'s handler is the one set: no more questions, every waiting operation goes on at
 * once, and true (its owner may now release ctx). */
bool ls_gone_clear_handler(struct ls_engine *e, void *ctx);
/* The consumer has answered every question up to `ticket` (questions are answered in order). */
void ls_gone_answered(struct ls_engine *e, uint64_t ticket);

/* After parent/name was removed or replaced: `victim` is what lstat said of it just before. If
 * that was the last name of a regular file that no handle has open, the engine lets go of it
 * (ls_nodes_let_go) and, if the consumer was told of it, asks the consumer to and waits. */
void ls_gone_after_unlink(struct ls_engine *e, const struct stat *victim);
/* After the last handle of a file was released (`file`: what its handle's fstat said): if the
 * file has no name left, the same. */
void ls_gone_after_release(struct ls_engine *e, const struct stat *file);
/* Asks the consumer about (dev, ino) and waits for its answer, bounded (LS_GONE_WAIT_MS): also
 * how a truncation lets it catch up first (catchup.h). */
void ls_gone_ask(struct ls_engine *e, dev_t dev, ino_t ino);

#endif
