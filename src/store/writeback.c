#include "config.h"

#include <fcntl.h>
#include <unistd.h>

#include "store/internal.h"
#include "store/writeback.h"

void
store_writeback(struct store *st)
{
#ifdef SYNC_FILE_RANGE_WRITE
	/*
	 * A descriptor of its own: the page cache is the file's, whichever
	 * descriptor asks, and SQLite's own is not ours to reach.
	 */
	if (st->writeback_fd == 0)
		st->writeback_fd = open(st->path, O_RDONLY | O_CLOEXEC) + 1;
	if (st->writeback_fd > 0)
		(void)sync_file_range(st->writeback_fd - 1, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
	(void)st;
#endif
}
