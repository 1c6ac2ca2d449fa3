/*
 * A per-thread bump allocator for cJSON. Parsing a transcript line allocates
 * a node per value and frees them all a moment later; inside an arena scope
 * those allocations come from one reused block and freeing is a no-op, so the
 * parse costs no malloc or free at all. Outside a scope (and in every other
 * thread) cJSON uses malloc and free as usual.
 */
#ifndef AL_ARENA_H
#define AL_ARENA_H

/*
 * cJSON allocations made in this thread from now on come from the arena
 * (the hooks are installed on first use). They live until arena_end().
 */
void arena_begin(void);
/* Back to malloc for new allocations; what the arena holds stays valid. */
void arena_pause(void);
/* Releases everything the arena holds, keeping a block for reuse. */
void arena_end(void);

#endif
