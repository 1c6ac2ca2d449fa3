/*
 * Getting a store's written pages to disk before its commit asks for them.
 *
 * A commit's fdatasync writes every page the transaction left in the OS
 * cache, then waits for the disk: at the end of a first import that was a
 * whole store's worth (17 ms of a 0.2 s import of 128 MB, on one thread
 * while the other had finished). A first import starts that writing as it
 * goes, so each commit waits only for what came since.
 */
#ifndef AL_WRITEBACK_H
#define AL_WRITEBACK_H

struct store;

/*
 * Starts writing the store's pages that are in the OS cache, without waiting
 * for them (Linux's sync_file_range; elsewhere nothing). Durability is still
 * the commit's fdatasync: this only moves the writing earlier.
 */
void store_writeback(struct store *st);

#endif
