/*
 * A consumer (the daemon) attaching to a running engine, and going away again. The engine serves
 * with or without one: while none is attached no file event is queued and no descriptor is
 * opened for one (events.h). A consumer that attaches is told what is open at that moment, one
 * open event per file handle, as if each had just been opened (same handle id, opener, flags),
 * all stamped with the ring head at which its view begins: the records before that head were
 * written while nobody was looking, and the consumer counts them as a gap and reads the content
 * from the files instead.
 */
#ifndef LOGSHADOW_ATTACH_H
#define LOGSHADOW_ATTACH_H

#include <stdint.h>

struct ls_engine;

/* Returns the ring head at which the consumer's view begins. */
uint32_t ls_engine_attach(struct ls_engine *e);
/* Nothing is queued for a consumer any more; what was queued is disposed of. */
void ls_engine_detach(struct ls_engine *e);

#endif
