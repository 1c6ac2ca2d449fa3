/*
 * libFuzzer target: a PostgREST request through the SQL builder. The input is
 * method, name, query string and Prefer header separated by NUL bytes, then
 * the body (which may itself hold NULs); a name "rpc/<fn>" is a function call.
 * The Prefer field is also read as the Accept, Content-Type and profile
 * headers (pgrst-media.c). Embeddings reach two levels of relationships,
 * an ambiguous one and a many-to-many through a junction table.
 * Beyond not crashing, every statement built must keep what came from the
 * request out of its text: quoted identifiers are identifiers, string
 * literals are our own, and the parameters match the $n it uses.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "pgrst-media.h"
#include "pgrst-query.h"
#include "pgrst-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct pgrst_table tables[] = {
	{ "turns", "user_id,id" }, { "sessions", "user_id,id" }, { "notes", NULL },
	{ "tags", "id" }, { "session_tags", "session_id,tag_id" },
};
/* Embeddings: turns -> sessions once, notes -> sessions twice (ambiguous),
 * sessions <-> tags through session_tags. */
static const struct pgrst_rel rels[] = {
	{ "turns", "user_id,session_id", "sessions", "user_id,id", "turns_session_fkey" },
	{ "notes", "session_id", "sessions", "id", "notes_first_fkey" },
	{ "notes", "other_id", "sessions", "id", "notes_other_fkey" },
	{ "session_tags", "session_id", "sessions", "id", "session_tags_session_fkey" },
	{ "session_tags", "tag_id", "tags", "id", "session_tags_tag_fkey" },
};

/* The headers pgrst-media.c reads: answered, or refused with PostgREST's error. */
static void
check_media(const char *header, const char *method, const char *name, int rpc)
{
	struct pgrst_error e;
	enum pgrst_accept a;

	memset(&e, 0, sizeof e);
	if (pgrst_media_accept(header, &a, &e) != 0) {
		check_error(&e);
		if (e.status != 406)
			abort();
	} else if (a != PGRST_ACCEPT_JSON && a != PGRST_ACCEPT_OBJECT && a != PGRST_ACCEPT_CSV)
		abort();
	if (pgrst_media_body(header, rpc, "public", name, &e) != 0)
		check_error(&e);
	if (pgrst_media_profile(method, header, header, "public", &e) != 0)
		check_error(&e);
}
static const struct pgrst_arg push_args[] = { { "payload", "jsonb" } };
static const struct pgrst_arg pull_args[] = {
	{ "cursor_txid", "text" }, { "cursor_id", "uuid" }, { "page_size", "integer" },
	{ "ids", "uuid[]" }, { "doc", "json" },
};
static const struct pgrst_function functions[] = {
	{ "push_batch", push_args, 1, 0 }, { "pull_changes", pull_args, 5, 1 },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *field[4] = { "", "", "", "" };
	char *copy = malloc(size + 1);
	struct pgrst_request r;
	struct pgrst_sql s;
	struct pgrst_error e;
	size_t at = 0, i;
	char *nul;

	memcpy(copy, data, size);
	copy[size] = '\0';
	for (i = 0; i < 4 && at <= size; i++) {
		field[i] = copy + at;
		nul = memchr(copy + at, '\0', size - at);
		at = nul != NULL ? (size_t)(nul - copy) + 1 : size + 1;
	}
	memset(&r, 0, sizeof r);
	r.method = field[0];
	r.name = field[1];
	if (strncmp(r.name, "rpc/", 4) == 0) {
		r.rpc = 1;
		r.name += 4;
	}
	r.query = field[2];
	r.prefer = field[3];
	if (at <= size) {
		r.body = copy + at;
		r.body_len = size - at;
	}
	r.tables = tables;
	r.ntables = sizeof tables / sizeof tables[0];
	r.functions = functions;
	r.nfunctions = sizeof functions / sizeof functions[0];
	r.rels = rels;
	r.nrels = sizeof rels / sizeof rels[0];
	r.max_rows = size % 2 == 0 ? 1000 : 0;
	check_media(r.prefer, r.method, r.name, r.rpc);
	r.accept = (enum pgrst_accept)(size % 3);

	if (pgrst_build(&r, &s, &e) == 0) {
		check_sql(&s);
		pgrst_sql_free(&s);
	} else
		check_error(&e);
	free(copy);
	return 0;
}
