/*
 * The synced tables as both sides see them: the columns shared by the local
 * SQLite store and the cloud, and how a value crosses (SQLite keeps booleans
 * as 0/1 and times as ISO text; the cloud has booleans and timestamptz).
 * Parents come before children, the order of pull_changes' feed.
 */
#ifndef AL_SYNC_TABLES_H
#define AL_SYNC_TABLES_H

#include <cjson/cJSON.h>

enum col_kind {
	COL_TEXT,
	COL_INT,
	COL_BOOL,
	COL_TIME,	/* ISO 8601; the cloud's form is normalised to ours on the way in */
};

struct sync_column {
	const char *name;
	enum col_kind kind;
	/*
	 * What a person wrote or a tool printed (prompts, answers, tool calls,
	 * titles, file lists, captions, conflicting values): the columns that
	 * privacy (redaction, end-to-end encryption) transforms on the way
	 * out. Ids, clocks, counts and sync columns stay clear for the merge.
	 */
	int content;
};

struct sync_table {
	const char *name;
	const struct sync_column *columns;	/* id first; ends with a NULL name */
	int ncolumns;
	/*
	 * The columns whose value is each machine's own (a project's display
	 * name, unique on each machine, and its checkout there), NULL-ended, or
	 * NULL: pushed, but taken from the cloud only for a row new here or a
	 * tombstone, and never compared.
	 */
	const char *const *here;
};

enum { T_PROJECTS, T_COMMITS, T_SESSIONS, T_TURNS, T_VISUALS, T_CONFLICTS, NTABLES };

extern const struct sync_table sync_tables[NTABLES];

/* Whether column is one of t's here columns. */
int sync_column_here(const struct sync_table *t, const char *column);

/* The table called name, or NULL. */
const struct sync_table *sync_table_find(const char *name);

#endif
