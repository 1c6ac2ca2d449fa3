/*
 * Import: every transcript under <claude dir>/projects, streamed from where
 * its last import stopped, segmented into commits and written to the store.
 * Idempotent: ids are deterministic and unchanged rows are never rewritten.
 */
#ifndef AL_IMPORT_H
#define AL_IMPORT_H

#include <stdint.h>

#include "store/db.h"

struct import_ahead;

struct import_opts {
	const char *claude_dir;
	const char *project;	/* only this project, or NULL for all */
	int idle_minutes;	/* a transcript idle this long has ended its session */
	int progress;		/* draw a progress bar on stderr */
	int quiet;		/* no warnings for skipped lines */
	int samples;		/* the bundled samples on a first run: marked, kept local */
	int from_start;		/* read every transcript again from its first line */
	struct import_ahead *ahead;	/* reading started before the store was open, or NULL */
};

struct import_stats {
	long files, files_read, files_unchanged, files_failed, files_filtered;
	int64_t bytes;
	long lines, skipped;
	long bad_values;	/* usage figures skipped: not whole numbers in 0..2^53 */
	long commits_new, sessions_new, turns_new, visuals_new;
	long samples_removed;	/* sample commits removed: real transcripts arrived */
};

/*
 * Fatal problems (no such directory, a store error) return -1 with err filled.
 * Reads every transcript from the start also when the store asks for it once
 * (import_reread_wanted: a version whose import derives more than the last).
 */
int import_run(struct store *st, const char *home, const struct import_opts *o,
    struct import_stats *stats, char *err);

/*
 * A first import's reading, started before its store exists: creating the
 * store (schema, journal) took 12 ms of a 0.2 s import of 128 MB, with the
 * reading thread not yet started. Reads every transcript under
 * claude_dir/projects from its first line, as the plan of an import into an
 * empty store does. import_run takes it over (import_opts.ahead) when its own
 * plan is the same reading, and stops it otherwise. NULL when there is nothing
 * to read or the thread cannot start. Free it after import_run.
 */
struct import_ahead *import_read_ahead(const char *claude_dir, int idle_minutes);
void import_ahead_free(struct import_ahead *a);
/* Whether import_run read through it (its plan was the same reading). */
int import_ahead_taken(const struct import_ahead *a);

/* How many malformed lines are reported one by one before they are only counted. */
#define IMPORT_MAX_WARNINGS 5

#endif
