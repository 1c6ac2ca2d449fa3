#include "config.h"

#include "store/internal.h"
#include "store/samples.h"
#include "store/search.h"
#include "util/log.h"

int
samples_store_is_empty(struct store *st, char *err)
{
	long long n;

	if (store_query_int(st, &n, "SELECT EXISTS (SELECT 1 FROM projects)"
	    " OR EXISTS (SELECT 1 FROM cognitive_commits)", err) != 0)
		return -1;
	return n == 0;
}

int
samples_present(struct store *st, char *err)
{
	long long n;

	if (store_query_int(st, &n, "SELECT EXISTS (SELECT 1 FROM sample_projects)", err) != 0)
		return -1;
	return n != 0;
}

/* The commits of sample projects, as a subquery. */
#define SAMPLE_COMMITS \
	"(SELECT id FROM cognitive_commits WHERE project_id IN (SELECT id FROM sample_projects))"

/* Never pushed: synced from the start, and the v11 triggers keep them so. */
static const char *const mark_sql[] = {
	"INSERT OR IGNORE INTO sample_projects (id) VALUES (?1)",
	"UPDATE projects SET sync_status = 'synced' WHERE id = ?1",
	"UPDATE cognitive_commits SET sync_status = 'synced' WHERE project_id = ?1",
	"UPDATE sessions SET sync_status = 'synced' WHERE commit_id IN"
	" (SELECT id FROM cognitive_commits WHERE project_id = ?1)",
	"UPDATE turns SET sync_status = 'synced' WHERE session_id IN (SELECT s.id FROM sessions s"
	" JOIN cognitive_commits c ON c.id = s.commit_id WHERE c.project_id = ?1)",
	"UPDATE visuals SET sync_status = 'synced' WHERE commit_id IN"
	" (SELECT id FROM cognitive_commits WHERE project_id = ?1)",
};

int
samples_mark(struct store *st, const char *project_id, char *err)
{
	size_t i;

	for (i = 0; i < sizeof mark_sql / sizeof mark_sql[0]; i++) {
		sqlite3_stmt *s = store_cached(st, mark_sql[i], err);
		if (s == NULL)
			return -1;
		store_bind_text(s, 1, project_id);
		if (store_step_write(st, s, "marking the samples", err) < 0)
			return -1;
	}
	return 0;
}

/* Children first. import_files forgets the samples' transcripts, so importing them
 * again (as real transcripts, with --claude-dir) reads them afresh. */
static const char remove_sql[] =
	"DELETE FROM import_files WHERE last_commit_id IN " SAMPLE_COMMITS ";"
	"DELETE FROM conflicts WHERE record_id IN " SAMPLE_COMMITS ";"
	"DELETE FROM sync_base WHERE record_id IN " SAMPLE_COMMITS ";"
	"DELETE FROM visuals WHERE commit_id IN " SAMPLE_COMMITS ";"
	"DELETE FROM turns WHERE session_id IN (SELECT id FROM sessions WHERE commit_id IN "
	SAMPLE_COMMITS ");"
	"DELETE FROM sessions WHERE commit_id IN " SAMPLE_COMMITS ";"
	"DELETE FROM cognitive_commits WHERE project_id IN (SELECT id FROM sample_projects);"
	"DELETE FROM projects WHERE id IN (SELECT id FROM sample_projects);"
	"DELETE FROM sample_projects;";

long
samples_remove(struct store *st, char *err)
{
	long long n;
	int present;

	if ((present = samples_present(st, err)) <= 0)
		return present;
	if (store_query_int(st, &n, "SELECT count(*) FROM " SAMPLE_COMMITS " c", err) != 0 ||
	    store_exec(st, remove_sql, err) != 0 || search_batch_after_delete(st, err) != 0)
		return -1;
	log_debug("removed the samples: %lld commits", n);
	return (long)n;
}
