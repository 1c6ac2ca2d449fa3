/*
 * A background WAL checkpointer for bulk writes. SQLite's automatic
 * checkpoint copies the WAL into the database inside the writing thread,
 * which for an import is half of all the bytes it writes. This thread does
 * that copy on a connection of its own while the writer goes on.
 */
#ifndef AL_CHECKPOINTER_H
#define AL_CHECKPOINTER_H

struct checkpointer;
struct store;

/* Starts checkpointing path's WAL; turns off the writer's own automatic checkpoints
 * on st until checkpointer_stop. NULL (and err) when it cannot start. */
struct checkpointer *checkpointer_start(struct store *st, char *err);
/* Tells the thread the WAL has grown (after a commit). */
void checkpointer_nudge(struct checkpointer *cp);
/* Stops the thread and gives the writer its automatic checkpoints back. */
void checkpointer_stop(struct checkpointer *cp);

#endif
